/* Paperlens background, the library page's requests: the whole list, edits, removal and undo,
 * bulk changes, exports, recommendations, related work a draft lacks, the daily digest and its
 * feed URL. Notes are queued here so none is lost on close. */
'use strict';

const NOTE_DELAY_MS = 400;
const PENDING_NOTES = 'pendingNotes'; // storage.local: id -> note not yet stored on the server

/* ---------- notes, saved as you type ---------- */
// Every keystroke's text comes here; it waits briefly (typing coalesces into one request) and is
// kept in storage.local until the server has it. Closing the library page, or Chromium stopping
// this worker, therefore loses nothing: the next start sends what is left.

let pendingNotes = null; // Map id -> newest note not yet on the server (mirrors storage.local)
let pendingWrite = Promise.resolve();
const noteTimers = new Map(); // id -> { timer, waiters }
const noteSending = new Map(); // id -> the request in flight, so one id's notes arrive in order

async function loadPendingNotes() {
  if (!pendingNotes) {
    const { [PENDING_NOTES]: stored = {} } = await ext.storage.local.get(PENDING_NOTES);
    if (!pendingNotes) pendingNotes = new Map(Object.entries(stored));
  }
  return pendingNotes;
}

// Writes are chained and each writes the whole map, so storage always ends at the newest state.
function storePendingNotes() {
  const snapshot = Object.fromEntries(pendingNotes);
  pendingWrite = pendingWrite.then(() => ext.storage.local.set({ [PENDING_NOTES]: snapshot })).catch(() => {});
  return pendingWrite;
}

async function queueNote(id, note) {
  const pending = await loadPendingNotes();
  pending.set(id, String(note));
  await storePendingNotes();
  let waiting = noteTimers.get(id);
  if (!waiting) {
    waiting = { waiters: [] };
    noteTimers.set(id, waiting);
  }
  clearTimeout(waiting.timer);
  waiting.timer = setTimeout(() => {
    noteTimers.delete(id);
    sendNote(id).then((entry) => waiting.waiters.forEach((w) => w.resolve(entry)),
      (e) => waiting.waiters.forEach((w) => w.reject(e)));
  }, NOTE_DELAY_MS);
  return new Promise((resolve, reject) => waiting.waiters.push({ resolve, reject }));
}

function sendNote(id) {
  const previous = noteSending.get(id) || Promise.resolve();
  const sending = previous.catch(() => {}).then(async () => {
    const pending = await loadPendingNotes();
    if (!pending.has(id)) return null; // an earlier request already sent the newest text
    const note = pending.get(id);
    try {
      const entry = await api(paperPath(id), { method: 'PATCH', body: { note } });
      if (pending.get(id) === note) pending.delete(id);
      await storePendingNotes();
      return entry;
    } catch (e) {
      // Gone from the list (removed elsewhere): nothing left to save. Otherwise it stays pending.
      if (e.code === 'not-found' && pending.get(id) === note) {
        pending.delete(id);
        await storePendingNotes();
      }
      throw e;
    }
  });
  noteSending.set(id, sending);
  sending.finally(() => { if (noteSending.get(id) === sending) noteSending.delete(id); }).catch(() => {});
  return sending;
}

/* Send every note still pending: this session's, and any a stopped worker left behind. */
async function flushNotes() {
  const pending = await loadPendingNotes();
  for (const id of [...pending.keys()]) {
    const waiting = noteTimers.get(id);
    if (waiting) clearTimeout(waiting.timer);
    noteTimers.delete(id);
    try {
      const entry = await sendNote(id);
      if (waiting) waiting.waiters.forEach((w) => w.resolve(entry));
    } catch (e) {
      if (waiting) waiting.waiters.forEach((w) => w.reject(e));
      if (e.code === 'unreachable' || e.code === 'unauthorized') return;
    }
  }
}

/* ---------- the list and its edits ---------- */

async function needToken() {
  const s = await getSettings();
  if (!s.token) throw new ApiError('unauthorized', 'Connect Paperlens to your server to keep a reading list.');
}

// The whole list in one request (the JSON export is the list in the API's item shape), so the
// page filters, sorts and scrolls 5,000 entries without asking the server again. It is handed on
// as the text the server sent: one long string crosses to the page far faster than 5,000 objects
// (Firefox clones a message's objects one by one), and the page parses it.
async function libraryAll() {
  await needToken();
  await flushNotes();
  return { json: await api('/library/export?format=json', { text: true }) };
}

function editEntry({ id, tags, add_tags: add, remove_tags: remove }) {
  const body = {};
  if (tags) body.tags = tags;
  if (add && add.length) body.add_tags = add;
  if (remove && remove.length) body.remove_tags = remove;
  return api(paperPath(id), { method: 'PATCH', body });
}

// Many entries in one request (the library page's selection, or the one paper in its editor).
async function removeEntries({ ids }) {
  const reply = await api('/library/bulk', { method: 'POST', body: { ids, remove: true } });
  await cacheClear();
  return reply;
}

// Undo a removal: the import route puts entries back with their tags, note and saved time.
async function restoreEntries({ items }) {
  const reply = await api('/library/import?format=json', { method: 'POST', body: { items } });
  await cacheClear();
  return reply;
}

function tagEntries({ ids, add_tags: add = [], remove_tags: remove = [] }) {
  return api('/library/bulk', { method: 'POST', body: { ids, add_tags: add, remove_tags: remove } });
}

// The whole list, one tag, or the papers selected on the library page (sent in a POST body).
function exportEntries({ format, tag, ids }) {
  if (!['bibtex', 'csv', 'json'].includes(format)) throw new ApiError('bad-request', 'Unknown format.');
  if (ids) {
    return api('/library/export', { method: 'POST', body: { format, ids }, text: true }).then((text) => ({ text }));
  }
  const params = new URLSearchParams({ format });
  if (tag) params.set('tag', tag);
  return api(`/library/export?${params}`, { text: true }).then((text) => ({ text }));
}

/* ---------- recommendations ---------- */

function recommendations({ tag, k = 20 }) {
  const params = new URLSearchParams({ k: String(k), summaries: 'tldr' });
  if (tag) params.set('tag', tag);
  return api(`/library/recommendations?${params}`);
}

function moreLikeThis({ id, k = 10 }) {
  return api(`/papers/${encodeURIComponent(id)}/related?k=${k}&summaries=tldr`);
}

async function dismiss({ id, undo }) {
  return api(`${paperPath(id)}/dismiss`, { method: undo ? 'DELETE' : 'POST' });
}

/* ---------- for you: a draft's missing related work, the daily digest, its feed URL ---------- */

// The bibliography is BibTeX text or a list of paper ids, as the page read it; the server reads
// the entries and says which it could not.
async function missingForDraft({ title = '', abstract = '', bibliography = [], k = 20 }) {
  await needToken();
  return api('/related/missing', { method: 'POST',
    body: { title: String(title), abstract: String(abstract), bibliography, k, summaries: 'tldr' } });
}

async function digest({ days = 1, k = 20 }) {
  await needToken();
  return api(`/library/digest?${new URLSearchParams({ days: String(days), k: String(k), summaries: 'tldr' })}`);
}

// The feed URL carries its own secret: it is handed to the page once, when made, and kept nowhere.
const FEED_METHODS = { status: 'GET', create: 'POST', revoke: 'DELETE' };

async function digestFeed({ action }) {
  if (!Object.prototype.hasOwnProperty.call(FEED_METHODS, action)) throw new ApiError('bad-request', 'Unknown feed action.');
  await needToken();
  return api('/library/digest/feed', { method: FEED_METHODS[action] });
}

// One page of the list, filtered and sorted by the server: the popup's quick view, and the
// library page's first rows while the whole list loads.
function listPage({ q = '', tag = '', sort = 'saved', page = 1, per_page: perPage = 50 } = {}) {
  const params = new URLSearchParams({ sort, page: String(page), per_page: String(Math.min(200, Math.max(1, perPage))) });
  if (q) params.set('q', q);
  if (tag) params.set('tag', tag);
  return api(`/library?${params}`);
}

/* ---------- Zotero ---------- */

// The server reads the Zotero library (its local API on the server's machine, or the web API with
// the user id and key given here, which go to the server in the body and are kept nowhere), so
// the extension never talks to api.zotero.org itself. A big library takes a while: 5 minutes.
async function importZotero({ source, userId, apiKey }) {
  const body = { source: source === 'web' ? 'web' : 'local' };
  if (body.source === 'web') {
    body.user_id = String(userId || '').trim();
    body.api_key = String(apiKey || '').trim();
  }
  const answer = await api('/library/import/zotero', { method: 'POST', body, timeoutMs: 5 * 60 * 1000 });
  await cacheClear();
  return answer;
}
