/* The library page's ranked papers: the Recommended tab (Save, More like this, Not interested
 * with undo) and "More like this" for a saved paper. Uses the page's state, send and toast
 * (library.js), which load after this file and are called only once the page runs. */
'use strict';

const { resultRow } = globalThis.PaperlensResults;

async function saveResult(r, button) {
  const want = button.getAttribute('aria-pressed') !== 'true';
  button.setAttribute('aria-busy', 'true');
  const reply = await send({ type: 'save', id: r.id, saved: want });
  button.removeAttribute('aria-busy');
  if (!reply.ok) return toast(reply.message);
  button.setAttribute('aria-pressed', String(want));
  button.textContent = want ? 'Saved' : 'Save';
  state.stale = true;
  return undefined;
}

async function showSimilar(id, target, button) {
  if (button && button.getAttribute('aria-expanded') === 'true') {
    target.replaceChildren();
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  target.replaceChildren(el('li', { class: 'meta', text: 'Finding papers like this…' }));
  const reply = await send({ type: 'more-like-this', id });
  if (!reply.ok) return target.replaceChildren(el('li', { class: 'meta', text: reply.message }));
  if (button) button.setAttribute('aria-expanded', 'true');
  const results = reply.data.results || [];
  target.replaceChildren(...(results.length ? results.map((r) => resultRow(
    { ...r, saved: r.saved || state.items.has(r.id) }, { save: saveResult })) : [el('li', { class: 'meta', text: 'Nothing like it in your corpus.' })]));
  return undefined;
}

function moreUnder(r, li, button) {
  let nested = li.querySelector(':scope > ol');
  if (!nested) {
    nested = el('ol', { 'aria-label': `Papers like ${clip(r.title, 80)}` });
    li.append(nested);
  }
  showSimilar(r.id, nested, button);
}

async function dismissResult(r, li) {
  const reply = await send({ type: 'dismiss', id: r.id });
  if (!reply.ok) return toast(reply.message);
  const next = li.nextElementSibling;
  li.remove();
  return toast(`You won't see “${clip(r.title, 60)}” again.`, async () => {
    const back = await send({ type: 'dismiss', id: r.id, undo: true });
    if (!back.ok) return toast(back.message);
    $('recsList').insertBefore(li, next && next.isConnected ? next : null);
    return toast('It can be recommended again.');
  });
}

async function loadRecommendations() {
  $('recsStatus').textContent = 'Finding papers like the ones you saved…';
  const reply = await send({ type: 'recommendations', tag: $('tag').value || undefined, k: 20 });
  if (!reply.ok) {
    $('recsList').replaceChildren();
    $('recsStatus').textContent = reply.message;
    return;
  }
  const { results, based_on: basis, tag } = reply.data;
  $('recsStatus').textContent = basis
    ? `Based on ${basis} saved paper${basis === 1 ? '' : 's'}${tag ? ` tagged “${clip(tag, 40)}”` : ''}.`
    : 'Save a few papers first: recommendations are made from your library.';
  $('recsList').replaceChildren(...results.map((r) => resultRow(r, { save: saveResult, more: moreUnder, dismiss: dismissResult })));
}
