/* The library page's Digest view: the papers that joined the corpus lately, ranked by the reading
 * list, and the daily digest's feed URL for feed readers (create or replace, shown once with a copy
 * button; revoke). Uses the page's send, toast, showConnect (library.js) and saveResult
 * (recommended.js), called only once the page runs. Test contract: #digest[data-state="idle|
 * loading|ready|error|disconnected"], rows #digestList > li[data-paper-id], #feed[data-exists]. */
'use strict';

const WINDOWS = { 1: 'the last 24 hours', 3: 'the last 3 days', 7: 'the last 7 days' };

function disconnectedDigest(message) {
  $('digest').setAttribute('data-state', 'disconnected');
  showConnect(message);
  $('digestStatus').textContent = 'Connect Paperlens to your server (above) to see your digest.';
}

/* ---------- the digest ---------- */

let digestSeq = 0;

async function loadDigest() {
  const seq = ++digestSeq;
  const days = Number($('digestDays').value) || 1;
  $('digest').setAttribute('data-state', 'loading');
  $('digestStatus').textContent = 'Finding the papers new to your corpus…';
  const reply = await send({ type: 'digest', days, k: 20 });
  if (seq !== digestSeq) return;
  if (!reply.ok) {
    $('digestList').replaceChildren();
    if (reply.error === 'unauthorized') return disconnectedDigest(reply.message);
    $('digest').setAttribute('data-state', 'error');
    $('digestStatus').textContent = reply.message;
    return undefined;
  }
  const { results, new_papers: fresh, based_on: basis } = reply.data;
  const span = WINDOWS[days] || `the last ${days} days`;
  $('digestStatus').textContent = !fresh ? `No paper joined your corpus in ${span}.`
    : basis ? `${fresh} paper${fresh === 1 ? '' : 's'} joined your corpus in ${span}; the ${results.length} closest to your `
      + `${basis} saved paper${basis === 1 ? '' : 's'}:`
      : `${fresh} paper${fresh === 1 ? '' : 's'} joined your corpus in ${span}, newest first (save papers to rank them by your list):`;
  $('digestList').replaceChildren(...results.map((r) => resultRow(r, { save: saveResult }, [whyInDigest(r, basis)])));
  $('digest').setAttribute('data-state', 'ready');
  return undefined;
}

// Its score on the list's own 0-100 scale, the saved papers it is closest to, when it joined.
function whyInDigest(r, basis) {
  const close = (r.because || []).slice(0, 3).map((b) => `“${clip(String(b.title || b.id || ''), 80)}”`);
  const joined = typeof r.joined_at === 'string' ? r.joined_at.slice(0, 10) : '';
  const parts = [basis ? `score ${Math.round(Number(r.score) || 0)}` : '', close.length ? `close to ${close.join(', ')}` : '',
    joined ? `new on ${joined}` : ''];
  return el('div', { class: 'meta why', text: parts.filter(Boolean).join(' · ') });
}

/* ---------- the feed URL ---------- */

function showFeed(exists, created, justMade = false) {
  $('feed').setAttribute('data-exists', String(exists));
  const day = typeof created === 'string' ? created.slice(0, 10) : '';
  $('feedState').textContent = justMade ? 'A new feed URL, made just now; any earlier one no longer works.'
    : exists ? `You have a digest feed URL${day ? ` (made ${day})` : ''}. It was shown when made; make a new one to see a URL again.`
      : 'No feed URL. Make one to follow your daily digest in a feed reader.';
  const create = document.querySelector('#feed [data-action="feed-create"]');
  create.textContent = exists ? 'Make a new URL (the old one stops working)' : 'Create a feed URL';
  document.querySelector('#feed [data-action="feed-revoke"]').hidden = !exists;
}

async function loadFeedStatus() {
  const reply = await send({ type: 'digest:feed', action: 'status' });
  if (!reply.ok) {
    if (reply.error === 'unauthorized') return disconnectedDigest(reply.message);
    $('feedState').textContent = reply.message;
    return undefined;
  }
  // The URL made on this page stays in view until the page closes; revoked elsewhere, it goes.
  if (!reply.data.exists) hideFeedUrl();
  showFeed(reply.data.exists, reply.data.created, reply.data.exists && !$('feedUrlBox').hidden);
  return undefined;
}

async function createFeed() {
  const reply = await send({ type: 'digest:feed', action: 'create' });
  if (!reply.ok) return toast(reply.message);
  showFeed(true, reply.data.created, true);
  $('feedUrl').value = reply.data.url;
  $('feedCopied').textContent = '';
  $('feedUrlBox').hidden = false;
  $('feedUrl').focus();
  $('feedUrl').select();
  return undefined;
}

async function revokeFeed() {
  const reply = await send({ type: 'digest:feed', action: 'revoke' });
  if (!reply.ok && reply.error !== 'not-found') return toast(reply.message); // not-found: already gone
  hideFeedUrl();
  showFeed(false);
  return toast('Feed URL revoked: it no longer opens your digest.');
}

function hideFeedUrl() {
  $('feedUrl').value = '';
  $('feedUrlBox').hidden = true;
}

async function copyFeedUrl() {
  const url = $('feedUrl').value;
  try {
    await navigator.clipboard.writeText(url);
  } catch (_) {
    // Without clipboard access (an unfocused page, an older Firefox), copy the selection instead.
    $('feedUrl').select();
    if (!document.execCommand('copy')) {
      $('feedCopied').textContent = 'Select the URL and copy it.';
      return;
    }
  }
  $('feedCopied').textContent = 'Copied.';
}

function showDigest() {
  loadDigest();
  loadFeedStatus();
}

function setUpDigestView() {
  $('digestDays').addEventListener('change', loadDigest);
  $('feed').addEventListener('click', (e) => {
    const action = e.target.closest('[data-action]');
    if (!action) return;
    if (action.dataset.action === 'feed-create') createFeed();
    else if (action.dataset.action === 'feed-revoke') revokeFeed();
    else if (action.dataset.action === 'feed-copy') copyFeedUrl();
  });
}
