/* Paperlens background, the panel's requests: related papers for the page (cached briefly) and
 * saving papers to the reading list. The server says what is saved, what can be saved and where
 * each paper lives (saved, saveable, url); nothing here re-derives those rules. */
'use strict';

const RELATED_TTL_MS = 10 * 60 * 1000;
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

// A new server or token, or any change to the reading list: answers carry per-user saved flags.
async function cacheClear() {
  relatedCache.clear();
  if (sessionStore) {
    const all = await sessionStore.get(null).catch(() => ({}));
    const keys = Object.keys(all).filter((k) => k.startsWith('related:'));
    if (keys.length) await sessionStore.remove(keys).catch(() => {});
  }
}

/* ---------- related papers ---------- */

const A_DAY = /^\d{4}-\d{2}-\d{2}$/;

// The panel's view of the related papers: newest first (sort) and only papers since a day (since).
function relatedBody(paper, s, { sort, since } = {}) {
  const body = { title: paper.title, abstract: paper.abstract || '', k: s.k, summaries: 'full' };
  if (sort === 'date') body.sort = 'date'; // newest first; the server's default is by score
  if (typeof since === 'string' && A_DAY.test(since)) body.since = since;
  if (paper.ids && paper.ids.arxiv) body.arxiv_id = paper.ids.arxiv;
  if (paper.ids && paper.ids.doi) body.doi = paper.ids.doi;
  if (paper.url) body.url = paper.url;
  if (paper.authors && paper.authors.length) body.authors = paper.authors;
  if (paper.date) body.published = paper.date;
  if (s.saveOpened) body.save = true;
  return body;
}

/* Related papers for the page's paper. Reading needs no token: `paperlens serve` on loopback
 * answers reads openly, so a fresh install shows related papers with no setup at all. With a
 * token, the answer says which papers are saved (and the server refuses a token it does not know,
 * so a wrong one shows at once rather than at the first save). */
async function related(paper, view) {
  const s = await getSettings();
  const body = relatedBody(paper, s, view);
  const key = `related:${s.serverUrl}:${JSON.stringify(body)}`;
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
  return { ...data, sort: body.sort || 'score', since: body.since || '', cached, connected: !!s.token };
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
    const entry = await api(paperPath(id), { method: 'PUT', body });
    await cacheClear();
    // Zotero after Paperlens: the save stands whatever Zotero says; the answer says what it said.
    if (!s.zoteroSave) return { saved };
    return { saved, zotero: await saveToZotero(entry || {}, s.zoteroPort) };
  }
  await api(paperPath(id), { method: 'DELETE' });
  await cacheClear();
  return { saved };
}
