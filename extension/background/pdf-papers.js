/* Paperlens background, a PDF's paper: the side panel and the popup read the ids a PDF's URL
 * carries (shared/pdf-urls.js) and ask here which paper of the corpus it is: by its ids first
 * (GET /papers/{id}), then by the URLs it may be stored under (GET /papers/lookup?url=), the PDF's
 * own and its page's. Reads need no token on loopback, as related papers do. */
'use strict';

const MAX_LOOKUPS = 6; // ids and URLs tried for one PDF

// A server record in the one paper shape (content/paper.js makePaper's fields).
function asPaper(record) {
  const ids = {};
  if (record.arxiv_id) ids.arxiv = record.arxiv_id;
  if (record.doi) ids.doi = record.doi;
  return { id: record.id, ids, title: record.title || '', abstract: record.abstract || '',
    authors: Array.isArray(record.authors) ? record.authors : [], date: record.published || '',
    url: record.url || '', year: record.year || null };
}

async function pdfPaper({ ids = {}, pages = [], url } = {}) {
  const tries = [];
  if (typeof ids.arxiv === 'string' && ids.arxiv) tries.push(`/papers/${encodeURIComponent(`arxiv:${ids.arxiv}`)}`);
  if (typeof ids.doi === 'string' && ids.doi) tries.push(`/papers/${encodeURIComponent(`doi:${ids.doi}`)}`);
  for (const u of [url, ...(Array.isArray(pages) ? pages : [])]) {
    if (typeof u === 'string' && /^https?:\/\//.test(u)) tries.push(`/papers/lookup?url=${encodeURIComponent(u)}`);
  }
  for (const path of tries.slice(0, MAX_LOOKUPS)) {
    try {
      return asPaper(await api(path));
    } catch (e) {
      if (e.code !== 'not-found') throw e; // unreachable, unauthorized, server: say so, do not guess on
    }
  }
  return null;
}
