/* Paperlens background, the panel's requests: related papers for the page (cached briefly) and
 * saving papers to the reading list. */
'use strict';

const RELATED_TTL_MS = 10 * 60 * 1000;
const LIBRARY_TTL_MS = 2 * 60 * 1000;
const CACHE_MAX = 100;

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
  savedIds.ids = null;
  if (sessionStore) {
    const all = await sessionStore.get(null).catch(() => ({}));
    const keys = Object.keys(all).filter((k) => k.startsWith('related:'));
    if (keys.length) await sessionStore.remove(keys).catch(() => {});
  }
}

/* ---------- which papers are in the reading list ---------- */
// The panel shows saved state for every row and for the page's own paper; /related reports it
// only for results, so we keep the set of saved ids, refreshed briefly and patched on each save.

const savedIds = { ids: null, at: 0, loading: null };

async function libraryIds() {
  if (savedIds.ids && Date.now() - savedIds.at < LIBRARY_TTL_MS) return savedIds.ids;
  if (!savedIds.loading) {
    savedIds.loading = (async () => {
      const ids = new Set();
      for (let page = 1; page <= 40; page += 1) {
        const data = await api(`/library?per_page=200&page=${page}&sort=saved`);
        for (const item of data.items || []) ids.add(item.paper.id);
        if (!data.items || !data.items.length || page * (data.per_page || 200) >= data.total) break;
      }
      savedIds.ids = ids;
      savedIds.at = Date.now();
      return ids;
    })().finally(() => { savedIds.loading = null; });
  }
  return savedIds.loading;
}

function patchSavedIds(id, saved) {
  if (!savedIds.ids) return;
  if (saved) savedIds.ids.add(id); else savedIds.ids.delete(id);
}

/* ---------- related papers ---------- */

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

/* Related papers for the page's paper. Reading needs no token: `paperlens serve` on loopback
 * answers reads openly, so a fresh install shows related papers with no setup at all. */
async function related(paper) {
  const s = await getSettings();
  const body = relatedBody(paper, s);
  const key = `related:${s.serverUrl}:${JSON.stringify(body)}`;
  // With a token, the saved-ids lookup runs alongside /related, not after it, so a cache hit
  // costs no round trip unless that set has expired. It also checks the token: the server may
  // leave /related open (reads on loopback), so a wrong token would otherwise go unnoticed.
  const idsPromise = s.token ? libraryIds().catch((e) => (e.code === 'unauthorized' ? e : null)) : null;
  let data = await cacheGet(key);
  const cached = !!data;
  if (!data) {
    try {
      data = await api('/related', { method: 'POST', body });
    } catch (e) {
      if (e.code === 'unauthorized' && !s.token) {
        throw new ApiError('unauthorized', 'This Paperlens server needs a token to show related papers: connect Paperlens to it.');
      }
      throw e;
    }
    cachePut(key, data);
  }
  const ids = await idsPromise;
  if (ids instanceof ApiError) throw ids;
  const ownId = (data.query && data.query.id) || paper.id;
  const results = (data.results || []).map((r) => ({ ...r, saved: ids ? ids.has(r.id) : !!r.saved }));
  return {
    cached,
    connected: !!s.token,
    query: { ...data.query, id: ownId, saved: ids ? ids.has(ownId) : false,
      // The server's own id (arxiv:, doi: or title:<hash>) is what the reading list is keyed by.
      saveable: !!(data.query && data.query.id) || /^(arxiv|doi):/.test(ownId || '') },
    results,
  };
}

/* ---------- saving ---------- */

async function save({ id, saved, paper }) {
  const s = await getSettings();
  if (!s.token) throw new ApiError('unauthorized', NO_TOKEN);
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
  patchSavedIds(id, saved);
  return { saved };
}
