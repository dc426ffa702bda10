/* Paperlens background worker: the only place that knows the server URL and the token and the
 * only code that talks to the server. Content scripts, the popup and the options page message it.
 * Runs as a Chromium service worker and as a Firefox background script (same file). */
'use strict';

const ext = globalThis.browser || globalThis.chrome;

const DEFAULTS = {
  serverUrl: 'http://127.0.0.1:8420', // where `paperlens serve` listens by default
  token: '',
  k: 10,
  saveOpened: false, // "Add papers I open to my corpus": off unless the user opts in
  sites: {}, // site name -> false when the user switched that site off
  genericHosts: [], // hosts where the user enabled the generic citation_* adapter
};

const REQUEST_TIMEOUT_MS = 10000;
const RELATED_TTL_MS = 10 * 60 * 1000;
const LIBRARY_TTL_MS = 2 * 60 * 1000;
const CACHE_MAX = 100;

async function getSettings() {
  const stored = await ext.storage.local.get(Object.keys(DEFAULTS));
  const s = { ...DEFAULTS, ...stored };
  s.serverUrl = String(s.serverUrl || DEFAULTS.serverUrl).replace(/\/+$/, '');
  s.k = Math.min(100, Math.max(1, parseInt(s.k, 10) || DEFAULTS.k));
  return s;
}

/* ---------- the API client ---------- */

class ApiError extends Error {
  // code is what the panel shows: unreachable | unauthorized | server | bad-request
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status || 0;
  }
}

async function api(path, { method = 'GET', body, auth = true, text = false } = {}) {
  const s = await getSettings();
  const headers = { Accept: text ? '*/*' : 'application/json' };
  // The token travels only in this header: never in a URL, never logged.
  if (auth && s.token) headers.Authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let res;
  try {
    res = await fetch(`${s.serverUrl}/api/v1${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal, credentials: 'omit', cache: 'no-store',
    });
  } catch (_) {
    throw new ApiError('unreachable', `Can't reach the Paperlens server at ${s.serverUrl}.`);
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 204) return null;
  if (res.ok) return text ? res.text() : res.json();
  let message = `The server answered ${res.status}.`;
  try {
    const err = (await res.json()).error;
    if (err && err.message) message = String(err.message).slice(0, 300);
  } catch (_) { /* not JSON: keep the status line */ }
  if (res.status === 401 || res.status === 403) {
    throw new ApiError('unauthorized', s.token ? 'The server rejected the token.' : 'No token set.', res.status);
  }
  throw new ApiError(res.status >= 500 ? 'server' : 'bad-request', message, res.status);
}

const paperPath = (id) => `/library/${encodeURIComponent(id)}`;

/* ---------- short cache of related lists ---------- */
// Memory first; storage.session keeps it across service-worker restarts (Chromium stops an idle
// worker after ~30 s), so reopening a paper a minute later is still a cache hit.

const relatedCache = new Map();
const sessionStore = ext.storage.session;

async function cacheGet(key) {
  let hit = relatedCache.get(key);
  if (!hit && sessionStore) {
    try { hit = (await sessionStore.get(key))[key]; } catch (_) { hit = undefined; }
  }
  if (!hit || Date.now() - hit.at > RELATED_TTL_MS) return null;
  return hit.value;
}

function cachePut(key, value) {
  const entry = { at: Date.now(), value };
  relatedCache.set(key, entry);
  if (relatedCache.size > CACHE_MAX) relatedCache.delete(relatedCache.keys().next().value);
  if (sessionStore) sessionStore.set({ [key]: entry }).catch(() => {});
}

async function cacheClear() {
  relatedCache.clear();
  library.ids = null;
  if (sessionStore) await sessionStore.clear().catch(() => {});
}

/* ---------- which papers are in the reading list ---------- */
// The panel shows saved state for every row and for the page's own paper; /related reports it
// only for results, so we keep the set of saved ids, refreshed briefly and patched on each save.

const library = { ids: null, at: 0, loading: null };

async function libraryIds() {
  if (library.ids && Date.now() - library.at < LIBRARY_TTL_MS) return library.ids;
  if (!library.loading) {
    library.loading = (async () => {
      const ids = new Set();
      for (let page = 1; page <= 40; page += 1) {
        const data = await api(`/library?per_page=50&page=${page}&sort=saved`);
        for (const item of data.items || []) ids.add(item.paper.id);
        if (!data.items || !data.items.length || page * (data.per_page || 50) >= data.total) break;
      }
      library.ids = ids;
      library.at = Date.now();
      return ids;
    })().finally(() => { library.loading = null; });
  }
  return library.loading;
}

/* ---------- messages ---------- */

function relatedBody(paper, s) {
  const body = { title: paper.title, abstract: paper.abstract || '', k: s.k, summaries: 'full' };
  if (paper.ids && paper.ids.arxiv) body.arxiv_id = paper.ids.arxiv;
  if (paper.ids && paper.ids.doi) body.doi = paper.ids.doi;
  if (paper.url) body.url = paper.url;
  if (paper.authors && paper.authors.length) body.authors = paper.authors;
  if (paper.date) body.published = paper.date;
  if (s.saveOpened) body.save = true;
  return body;
}

async function related(paper) {
  const s = await getSettings();
  // Saving needs a token, and reads may need one too: without it the panel says so plainly.
  if (!s.token) throw new ApiError('unauthorized', 'No Paperlens token set.');
  const body = relatedBody(paper, s);
  const key = `related:${s.serverUrl}:${JSON.stringify(body)}`;
  // The saved-ids lookup runs alongside /related, not after it, so a cache hit costs no round
  // trip unless that set has expired. It also checks the token: the server may leave /related
  // open (reads on loopback), so a wrong token would otherwise go unnoticed until a save fails.
  const idsPromise = libraryIds().catch((e) => (e.code === 'unauthorized' ? e : null));
  let data = await cacheGet(key);
  const cached = !!data;
  if (!data) {
    data = await api('/related', { method: 'POST', body });
    cachePut(key, data);
  }
  const ids = await idsPromise;
  if (ids instanceof ApiError) throw ids;
  const ownId = (data.query && data.query.id) || paper.id;
  const results = (data.results || []).map((r) => ({
    ...r, saved: ids ? ids.has(r.id) : !!r.saved,
  }));
  return {
    cached,
    query: { ...data.query, id: ownId, saved: ids ? ids.has(ownId) : false,
      // The server's own id (arxiv:, doi: or title:<hash>) is what the reading list is keyed by.
      saveable: !!(data.query && data.query.id) || /^(arxiv|doi):/.test(ownId || '') },
    results,
  };
}

async function save({ id, saved, paper }) {
  if (saved) {
    const body = {};
    // The page's own paper may not be in the corpus yet: send its record along.
    if (paper) {
      body.paper = { title: paper.title, abstract: paper.abstract || '', authors: paper.authors || [],
        url: paper.url || undefined, arxiv_id: paper.ids && paper.ids.arxiv,
        doi: paper.ids && paper.ids.doi, published: paper.date || undefined };
    }
    await api(paperPath(id), { method: 'PUT', body });
  } else {
    await api(paperPath(id), { method: 'DELETE' });
  }
  if (library.ids) {
    if (saved) library.ids.add(id); else library.ids.delete(id);
  }
  return { saved };
}

async function health() {
  const status = await api('/health', { auth: false });
  let token = 'missing';
  const s = await getSettings();
  if (s.token) {
    try { await api('/library?per_page=1'); token = 'ok'; } catch (e) {
      token = e.code === 'unauthorized' ? 'rejected' : 'unknown';
    }
  }
  return { papers: status.papers, status: status.status, version: status.version, token };
}

async function publicSettings() {
  const s = await getSettings();
  const { token, ...rest } = s;
  return { ...rest, hasToken: !!token };
}

async function setSettings(patch) {
  const allowed = {};
  for (const key of Object.keys(DEFAULTS)) if (key in patch) allowed[key] = patch[key];
  await ext.storage.local.set(allowed);
  await cacheClear();
  return publicSettings();
}

function exportLibrary(format) {
  if (!['bibtex', 'csv', 'json'].includes(format)) throw new ApiError('bad-request', 'Unknown format.');
  return api(`/library/export?format=${format}`, { text: true }).then((text) => ({ text }));
}

function listLibrary({ q = '', tag = '', sort = 'saved', page = 1 } = {}) {
  const params = new URLSearchParams({ sort, page: String(page), per_page: '50' });
  if (q) params.set('q', q);
  if (tag) params.set('tag', tag);
  return api(`/library?${params}`);
}

const handlers = {
  related: (m) => related(m.paper),
  save: (m) => save(m),
  library: (m) => listLibrary(m),
  remove: (m) => save({ id: m.id, saved: false }),
  tags: (m) => api(paperPath(m.id), { method: 'PUT', body: { tags: m.tags } }),
  export: (m) => exportLibrary(m.format),
  health: () => health(),
  'settings:get': () => publicSettings(),
  'settings:set': (m) => setSettings(m.settings || {}),
  'open-options': () => ext.runtime.openOptionsPage(),
};

ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Only this extension's own pages and content scripts can reach here (no externally_connectable).
  const handler = message && handlers[message.type];
  if (!handler || sender.id !== ext.runtime.id) return false;
  Promise.resolve()
    .then(() => handler(message))
    .then((data) => sendResponse({ ok: true, data }))
    .catch((e) => sendResponse({ ok: false, error: e.code || 'unreachable', message: e.message }));
  return true; // answer asynchronously
});

/* ---------- the keyboard shortcut ---------- */

ext.commands.onCommand.addListener(async (command) => {
  if (command !== 'toggle-overlay') return;
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  if (tab && tab.id !== undefined) ext.tabs.sendMessage(tab.id, { type: 'toggle' }).catch(() => {});
});

/* ---------- the generic adapter on sites the user enabled ---------- */
// Those hosts are optional permissions granted at runtime from the options page; the content
// scripts are registered only for hosts whose permission is actually held.

const CONTENT_JS = [
  'content/paper.js', 'content/sites/generic.js', 'content/dom.js', 'content/overlay.js', 'content/main.js',
];

async function syncGenericScripts() {
  if (!ext.scripting || !ext.scripting.registerContentScripts) return;
  const { genericHosts = [] } = await ext.storage.local.get('genericHosts');
  const matches = [];
  for (const host of genericHosts) {
    // Both schemes when granted (the options page asks for *://host/*), else whichever is held.
    for (const origin of [`*://${host}/*`, `https://${host}/*`, `http://${host}/*`]) {
      if (await ext.permissions.contains({ origins: [origin] })) {
        matches.push(origin);
        if (origin.startsWith('*')) break;
      }
    }
  }
  try {
    await ext.scripting.unregisterContentScripts({ ids: ['paperlens-generic'] });
  } catch (_) { /* nothing registered yet */ }
  if (matches.length) {
    await ext.scripting.registerContentScripts([{
      id: 'paperlens-generic', matches, js: CONTENT_JS, runAt: 'document_end',
    }]);
  }
}

ext.runtime.onInstalled.addListener(() => { syncGenericScripts().catch(() => {}); });
ext.runtime.onStartup.addListener(() => { syncGenericScripts().catch(() => {}); });
if (ext.permissions.onRemoved) ext.permissions.onRemoved.addListener(() => { syncGenericScripts().catch(() => {}); });
ext.storage.onChanged.addListener((changes, area) => {
  // Tests and the options page may write settings directly; a new server or token invalidates answers.
  if (area === 'local' && (changes.serverUrl || changes.token || changes.k || changes.saveOpened)) {
    cacheClear();
  }
  if (area === 'local' && changes.genericHosts) syncGenericScripts().catch(() => {});
});
