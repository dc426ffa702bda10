/* The reading-list popup, a quick view: search, filter by tag, edit tags, open, remove, export,
 * and the ways to the library page (its list, related work for a draft, the digest). Every
 * request goes through the background worker, which holds the server URL and the token. */
'use strict';

const ext = globalThis.browser || globalThis.chrome;
const { el, clip, linkOrText, safeHref } = globalThis.PaperlensDom;
const { send } = globalThis.PaperlensMessages;
const $ = (id) => document.getElementById(id);

function showStatus(text) {
  $('status').textContent = text || '';
}

const knownTags = new Set();

function refreshTagOptions() {
  const select = $('tag');
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '', text: 'All tags' }));
  for (const tag of [...knownTags].sort()) select.append(el('option', { value: tag, text: tag }));
  select.value = chosen;
}

function itemRow(item) {
  const paper = item.paper || {};
  const tagsInput = el('input', { type: 'text', value: (item.tags || []).join(', '),
    'aria-label': `Tags for ${clip(paper.title || paper.id, 80)}`, placeholder: 'tags, comma separated' });
  const saveTags = el('button', { type: 'button', text: 'Tag', onclick: async () => {
    const tags = tagsInput.value.split(',').map((t) => t.trim()).filter(Boolean);
    const reply = await send({ type: 'tags', id: paper.id, tags });
    showStatus(reply.ok ? 'Tags saved.' : reply.message);
    if (reply.ok) load();
  } });
  const href = paper.url;
  const open = el('button', { type: 'button', text: 'Open', disabled: !safeHref(href),
    onclick: () => ext.tabs.create({ url: safeHref(href) }) });
  const remove = el('button', { type: 'button', 'data-action': 'remove', text: 'Remove', onclick: async () => {
    const reply = await send({ type: 'remove', id: paper.id });
    showStatus(reply.ok ? 'Removed.' : reply.message);
    if (reply.ok) load();
  } });
  const tags = el('div', { class: 'tags' });
  for (const tag of item.tags || []) {
    knownTags.add(tag);
    tags.append(el('span', { class: 'tag', text: clip(tag, 40) }));
  }
  const authors = (paper.authors || []).slice(0, 3).join(', ') + ((paper.authors || []).length > 3 ? ' et al.' : '');
  return el('li', { 'data-paper-id': paper.id },
    linkOrText(clip(paper.title || paper.id, 300), href, 'title'),
    el('div', { class: 'meta', text: [paper.year, authors].filter(Boolean).join(' · ') }),
    tags,
    el('div', { class: 'actions' }, tagsInput, saveTags, open, remove));
}

// Without a connection there is no list to search or export: one line and a way to connect
// instead of controls that could only fail.
function showConnected(connected) {
  document.body.setAttribute('data-connected', String(connected));
  $('connectPrompt').hidden = connected;
  for (const id of ['filters', 'items', 'exports']) $(id).hidden = !connected;
  if (!connected) {
    $('items').replaceChildren();
    showStatus('');
  }
}

let loadSeq = 0;
async function load() {
  const seq = ++loadSeq;
  const reply = await send({ type: 'library', q: $('q').value.trim(), tag: $('tag').value, sort: $('sort').value });
  if (seq !== loadSeq) return;
  if (!reply.ok) {
    // A token the server no longer accepts is no connection either.
    if (reply.error === 'unauthorized') return showConnected(false);
    $('items').replaceChildren();
    showStatus(reply.message);
    return;
  }
  showConnected(true);
  const items = reply.data.items || [];
  $('items').replaceChildren(...items.map(itemRow));
  refreshTagOptions();
  showStatus(items.length ? `${reply.data.total} saved` : 'Nothing saved yet (or nothing matches).');
}

async function exportAs(format) {
  const reply = await send({ type: 'export', format });
  if (!reply.ok) return showStatus(reply.message);
  const types = { bibtex: 'application/x-bibtex', csv: 'text/csv', json: 'application/json' };
  const ext_ = { bibtex: 'bib', csv: 'csv', json: 'json' };
  const url = URL.createObjectURL(new Blob([reply.data.text], { type: types[format] }));
  const a = el('a', { href: url, download: `paperlens-reading-list.${ext_[format]}` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return showStatus(`Exported ${format.toUpperCase()}.`);
}

let typing = null;
$('q').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(load, 200); });
$('tag').addEventListener('change', load);
$('sort').addEventListener('change', load);
$('filters').addEventListener('submit', (e) => { e.preventDefault(); load(); });
$('options').addEventListener('click', () => ext.runtime.openOptionsPage());
$('connectOptions').addEventListener('click', async () => {
  await send({ type: 'open-options', section: 'connect' });
  window.close();
});
$('library').addEventListener('click', async () => {
  await send({ type: 'open-library' });
  window.close();
});
for (const button of document.querySelectorAll('[data-view]')) {
  button.addEventListener('click', async () => {
    await send({ type: 'open-library', view: button.dataset.view });
    window.close();
  });
}
for (const button of document.querySelectorAll('[data-export]')) {
  button.addEventListener('click', () => exportAs(button.dataset.export));
}
(async () => {
  const reply = await send({ type: 'settings:get' });
  if (reply.ok && !reply.data.hasToken) return showConnected(false);
  return load();
})();
