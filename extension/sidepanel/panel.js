/* The side panel (Chromium's side panel, Firefox's sidebar; one page): the paper in the tab it
 * follows, PDFs included, with its related papers and the panel's usual evidence (matched words,
 * TL;DR and key sentences, newest first, Save). Every request goes through the background worker;
 * every string from a page or the server is set with textContent. */
'use strict';

const ext = globalThis.browser || globalThis.chrome;
const { el, clip, linkOrText } = globalThis.PaperlensDom;
const { send } = globalThis.PaperlensMessages;
const $ = (id) => document.getElementById(id);

const MESSAGES = {
  unreachable: "Can't reach your Paperlens server.",
  server: 'Your Paperlens server answered with an error.',
  unauthorized: 'Your Paperlens server needs a token: connect Paperlens to it.',
  extension: 'Paperlens was reloaded or updated: close and open this panel again.',
  'no-results': 'No related papers found in your corpus.',
};
// What a save through to Zotero came to (background/zotero.js).
const ZOTERO = {
  saved: 'Saved, and to Zotero.',
  'not-reached': 'Saved to Paperlens. Zotero was not reached: is the Zotero app running?',
  refused: 'Saved to Paperlens. Zotero did not take the item.',
};

const root = $('panel');
let generation = 0;
let shown = null; // { tabId, found } of what is drawn

function setState(state, paperId) {
  root.setAttribute('data-state', state);
  root.setAttribute('aria-busy', String(state === 'loading'));
  if (paperId) root.setAttribute('data-paper-id', paperId);
  else root.removeAttribute('data-paper-id');
}

function clear(statusText) {
  $('paper').replaceChildren();
  $('notice').replaceChildren();
  $('controls').replaceChildren();
  $('results').replaceChildren();
  $('status').textContent = statusText || '';
  root.removeAttribute('data-zotero');
}

async function onSave(id, saved, paper) {
  const reply = await send({ type: 'save', id, saved, paper: paper || undefined });
  if (!reply.ok) {
    const notice = [el('span', { text: `${clip(reply.message || MESSAGES.server, 300)} ` })];
    if (reply.error === 'unauthorized') {
      notice.push(el('button', { type: 'button', class: 'link', 'data-action': 'connect', text: 'Connect Paperlens',
        onclick: () => send({ type: 'open-options', section: 'connect' }) }));
    }
    $('notice').replaceChildren(...notice);
    return false;
  }
  const zotero = reply.data && reply.data.zotero;
  if (zotero) {
    root.setAttribute('data-zotero', zotero);
    $('notice').replaceChildren(el('span', { text: ZOTERO[zotero] || '' }));
  }
  return true;
}

// The overlay's own row and Save toggle (content/overlay.js), drawn into this page.
const rows = Object.create(globalThis.PaperlensOverlay.prototype);
rows.onSave = onSave;

function authorsLine(paper) {
  const authors = (paper.authors || []).slice(0, 5).map((a) => clip(a, 80)).join(', ')
    + ((paper.authors || []).length > 5 ? ' et al.' : '');
  const year = paper.year || (paper.date ? String(paper.date).slice(0, 4) : '');
  return [authors, year].filter(Boolean).join(' · ');
}

function drawPaper(found, data) {
  const { paper } = found;
  const query = data.query || {};
  const ownId = query.id || paper.id;
  const save = rows.saveButton(ownId, query.saved, query.saveable === false
    ? 'No arXiv id or DOI for this paper: it cannot be saved yet' : '', paper);
  $('paper').replaceChildren(
    linkOrText(clip(paper.title, 300), query.url || paper.url, 'own-title'),
    el('div', { class: 'byline', text: authorsLine(paper) }),
    el('div', null, save, el('span', { class: 'where', text: found.source === 'pdf' ? `PDF · ${found.label.replace(/ \(.*\)$/, '')}` : '' })));
  return ownId;
}

async function relatedView() {
  const prefs = await ext.storage.local.get({ relatedSort: 'score', relatedSince: '' }).catch(() => ({}));
  return { sort: prefs.relatedSort === 'date' ? 'date' : 'score',
    since: prefs.relatedSince === 'year' ? `${new Date().getFullYear()}-01-01` : undefined };
}

function drawControls(data) {
  const choose = (choice) => ext.storage.local.set(choice).then(() => shown && show(shown.tabId));
  $('controls').replaceChildren(
    rows.toggleButton('newest-first', 'Newest first', data.sort === 'date',
      (on) => choose({ relatedSort: on ? 'date' : 'score' })),
    rows.toggleButton('this-year', 'This year only', !!data.since, (on) => choose({ relatedSince: on ? 'year' : '' })));
}

async function show(tabId, { loaded = false } = {}) {
  // A tab updated (loaded, or told its URL) at the URL already drawn: nothing new to show, and a
  // redraw would drop what the panel says (where a save went). Firefox reports a PDF's unchanged
  // URL again as the viewer starts.
  if (loaded && shown && shown.tabId === tabId && root.getAttribute('data-state') === 'ready') {
    const tab = await ext.tabs.get(tabId).catch(() => null);
    if (tab && tab.url === shown.url) return undefined;
  }
  const run = ++generation;
  const adapters = await globalThis.PaperlensAdapters.loadAdapters();
  if (tabId === null) {
    clear('Open a paper in a tab: its related papers show here.');
    return setState('unknown', null);
  }
  setState('loading', root.getAttribute('data-paper-id'));
  const found = await globalThis.PaperlensTabPaper.tabPaper(tabId, adapters);
  if (run !== generation) return undefined;
  if (found.state !== 'paper') {
    clear(found.state === 'error' ? (found.message || MESSAGES[found.error] || MESSAGES.server) : found.reason);
    root.setAttribute('data-error', found.error || '');
    return setState(found.state, null);
  }
  root.removeAttribute('data-error');
  const reply = await send({ type: 'related', paper: found.paper, ...(await relatedView()) });
  if (run !== generation) return undefined;
  shown = { tabId, found, url: found.url };
  clear('');
  if (!reply.ok) {
    $('status').textContent = reply.message || MESSAGES[reply.error] || MESSAGES.server;
    root.setAttribute('data-error', reply.error || 'server');
    return setState('error', found.paper.id);
  }
  const data = reply.data;
  const ownId = drawPaper(found, data);
  drawControls(data);
  const top = Math.max(0, ...data.results.map((r) => Number(r.score) || 0)) || 1;
  const items = data.results.map((r) => {
    const li = rows.row(r, top);
    li.setAttribute('data-result-id', r.id);
    return li;
  });
  $('results').replaceChildren(...items);
  if (!items.length) {
    $('status').textContent = data.since ? `No related papers published since ${data.since} in your corpus.`
      : MESSAGES['no-results'];
  }
  return setState('ready', ownId);
}

$('library').addEventListener('click', () => send({ type: 'open-library' }));
// Connecting or switching server elsewhere: draw again with the new answer.
ext.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && (changes.token || changes.serverUrl) && shown) show(shown.tabId);
});
globalThis.PaperlensFollowing.follow((tabId, how) => { show(tabId, how).catch(() => setState('error', null)); });
