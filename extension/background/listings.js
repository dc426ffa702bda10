/* Paperlens background, the listing overlays' requests: a listing's papers ranked by the reading
 * list in batches (POST /library/rank, at most 200 papers a request), and, when the user chose
 * "Add papers I open to my corpus", added to the corpus in batches too (POST /papers). */
'use strict';

const RANK_BATCH = 200; // the server ranks at most 200 candidates a request
const CORPUS_BATCH = 200;
const BATCH_BYTES = 900 * 1024; // under the server's default 1 MB body limit
const LISTING_MAX = 2000; // arXiv shows at most 2,000 entries a page; anything beyond is not a listing

const str = (v, max) => (typeof v === 'string' ? v.slice(0, max) : '');

// What ranking needs of a paper: its text and its ids (the server may know it by either).
function rankCandidate(paper) {
  const c = { title: str(paper.title, 2000) };
  if (paper.abstract) c.abstract = str(paper.abstract, 100000);
  if (paper.ids && paper.ids.arxiv) c.arxiv_id = str(paper.ids.arxiv, 100);
  if (paper.ids && paper.ids.doi) c.doi = str(paper.ids.doi, 300);
  return c;
}

function corpusRecord(paper) {
  const r = rankCandidate(paper);
  if (Array.isArray(paper.authors) && paper.authors.length) r.authors = paper.authors.slice(0, 50).map((a) => str(a, 500));
  if (paper.url) r.url = str(paper.url, 2000);
  if (paper.date) r.published = str(paper.date, 10);
  return r;
}

// Consecutive slices of at most `size` items and about BATCH_BYTES of JSON each, in order.
function batches(items, size) {
  const out = [];
  let batch = [];
  let bytes = 0;
  for (const item of items) {
    const n = JSON.stringify(item).length + 1;
    if (batch.length && (batch.length >= size || bytes + n > BATCH_BYTES)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += n;
  }
  if (batch.length) out.push(batch);
  return out;
}

function listingPapers(papers) {
  if (!Array.isArray(papers)) throw new ApiError('bad-request', 'No papers on this listing.');
  return papers.slice(0, LISTING_MAX).filter((p) => p && typeof p === 'object' && typeof p.title === 'string' && p.title);
}

/* The listing's papers into the corpus (only when the user opted in). Reading stays possible
 * without it, so a failure here never stops the ranking. */
async function addListingToCorpus(papers) {
  for (const batch of batches(papers.map(corpusRecord), CORPUS_BATCH)) {
    await api('/papers', { method: 'POST', body: { papers: batch } });
  }
}

/* One listing, ranked: the results in the papers' order, and how many saved papers they were
 * ranked against (scores mean nothing against an empty list). Without a token there is nothing to rank
 * against: the page shows save toggles that offer to connect. */
async function rankListing({ papers }) {
  const list = listingPapers(papers);
  const s = await getSettings();
  // Not awaited: the scores need not wait for the corpus (the candidates carry their text).
  if (s.saveOpened) addListingToCorpus(list).catch(() => {});
  if (!s.token) return { connected: false, basedOn: 0, results: [] };
  const results = [];
  let basedOn = 0;
  for (const batch of batches(list.map(rankCandidate), RANK_BATCH)) {
    const reply = await api('/library/rank', { method: 'POST', body: { papers: batch } });
    const answered = reply && Array.isArray(reply.results) ? reply.results : [];
    if (answered.length !== batch.length) throw new ApiError('server', 'The server ranked a different number of papers than it was sent.');
    results.push(...answered);
    // based_on: the saved papers it ranked against (0: an empty list, where every score is 0).
    if (Number.isFinite(reply.based_on)) basedOn = Math.max(basedOn, reply.based_on);
  }
  return { connected: true, basedOn, results };
}
