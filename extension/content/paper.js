/* The one paper shape every site adapter returns, and the small readers adapters share.
 * Loaded as a classic content script (content scripts cannot be ES modules in MV3) and,
 * for the node unit tests, as a CommonJS module. */
(function (root) {
  'use strict';
  const { safeHref } = typeof require === 'function' ? require('../shared/dom.js') : root.PaperlensDom;

  // Limits keep a hostile or huge page from freezing the tab or bloating the request:
  // the server only needs enough text to rank, and the panel only shows a title.
  const MAX_TITLE = 500;
  const MAX_ABSTRACT = 5000;
  const MAX_AUTHORS = 50;
  const MAX_AUTHOR = 200;

  function clean(text, max) {
    if (typeof text !== 'string') return '';
    // Slice before collapsing whitespace so a multi-megabyte string costs one bounded pass.
    const head = text.length > max * 2 ? text.slice(0, max * 2) : text;
    const collapsed = head.replace(/\s+/g, ' ').trim();
    return collapsed.length > max ? collapsed.slice(0, max - 1).trimEnd() + '…' : collapsed;
  }

  function meta(doc, name) {
    const el = doc.querySelector(`meta[name="${name}"], meta[property="${name}"]`);
    const value = el && el.getAttribute('content');
    return value ? value.trim() : '';
  }

  function metaAll(doc, name) {
    return Array.from(doc.querySelectorAll(`meta[name="${name}"]`))
      .map((el) => (el.getAttribute('content') || '').trim())
      .filter(Boolean);
  }

  // Text of the first matching element, without the "Abstract:" style labels sites prepend.
  function blockText(doc, selector, dropSelector) {
    const el = doc.querySelector(selector);
    if (!el) return '';
    if (!dropSelector) return el.textContent || '';
    const copy = el.cloneNode(true);
    copy.querySelectorAll(dropSelector).forEach((n) => n.remove());
    return copy.textContent || '';
  }

  // arXiv ids, new style (1706.03762v7) and old style (hep-th/9901001v2), without version. The
  // archive name is bounded (the longest is 'physics.acc-ph'-like, under 20): unbounded, a long
  // run of letters with no '/' makes every start position scan to its end, quadratic in the text.
  const ARXIV_ID = /(\d{4}\.\d{4,5}|[a-z-]{1,20}(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?/i;
  function arxivId(text) {
    if (!text) return '';
    const m = String(text).replace(/^arxiv:/i, '').match(ARXIV_ID);
    return m ? m[1] : '';
  }

  function doi(text) {
    if (!text) return '';
    const m = String(text).match(/10\.\d{4,9}\/\S+/);
    return m ? m[0].replace(/[.,;]+$/, '').toLowerCase() : '';
  }

  const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

  function isoParts(year, month, day) {
    const m = month === undefined ? 0 : Number(month);
    const d = day === undefined ? 0 : Number(day);
    if (month !== undefined && !(m >= 1 && m <= 12)) return '';
    if (day !== undefined && !(d >= 1 && d <= 31)) return '';
    return [year, m && String(m).padStart(2, '0'), d && String(d).padStart(2, '0')].filter(Boolean).join('-');
  }

  function monthNumber(name) {
    const n = MONTHS.indexOf(String(name).slice(0, 3).toLowerCase());
    return n < 0 ? undefined : n + 1;
  }

  // A date as precise as the text is and no more: "2017/06/12", "2017-06-12T…", "12 Jun 2017",
  // "June 12, 2017" → "2017-06-12"; "2017-06", "June 2017" → "2017-06"; "2017" → "2017". The
  // server merges duplicates by keeping the more precise date, so an invented day would replace a
  // true month. Parsed by hand, not by Date, which would invent a day and shift it by time zone.
  function isoDate(text) {
    if (!text) return '';
    const s = String(text).trim().slice(0, 100);
    let m = s.match(/^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?=$|[T\s])/);
    if (m) return isoParts(m[1], m[2], m[3]);
    m = s.match(/^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$/);
    if (m && monthNumber(m[2])) return isoParts(m[3], monthNumber(m[2]), m[1]);
    m = s.match(/^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/);
    if (m && monthNumber(m[1])) return isoParts(m[3], monthNumber(m[1]), m[2]);
    m = s.match(/^([A-Za-z]{3,9})\.?,?\s+(\d{4})$/);
    if (m && monthNumber(m[1])) return isoParts(m[2], monthNumber(m[1]));
    return '';
  }

  // Highwire writes "Last, First"; the server and the panel show "First Last".
  function authorName(name) {
    const parts = name.split(',').map((p) => p.trim()).filter(Boolean);
    return parts.length === 2 ? `${parts[1]} ${parts[0]}` : name.trim();
  }

  /* The one paper shape. `ids` holds every identifier the page gave; `id` is the key the
   * server would compute (arxiv first, then doi), or a site-local id when neither exists. */
  function makePaper({ ids = {}, title, abstract, authors = [], date, url }) {
    const cleanIds = {};
    for (const [k, v] of Object.entries(ids)) if (v) cleanIds[k] = String(v).slice(0, 200);
    if (cleanIds.arxiv) cleanIds.arxiv = arxivId(cleanIds.arxiv);
    if (cleanIds.doi) cleanIds.doi = doi(cleanIds.doi);
    for (const k of Object.keys(cleanIds)) if (!cleanIds[k]) delete cleanIds[k];
    const id = cleanIds.arxiv ? `arxiv:${cleanIds.arxiv}`
      : cleanIds.doi ? `doi:${cleanIds.doi}`
      : Object.keys(cleanIds).length ? `${Object.keys(cleanIds)[0]}:${Object.values(cleanIds)[0]}`
      : null;
    const paper = {
      id,
      ids: cleanIds,
      title: clean(title, MAX_TITLE),
      abstract: clean(abstract, MAX_ABSTRACT),
      authors: (authors || []).slice(0, MAX_AUTHORS).map((a) => clean(a, MAX_AUTHOR)).filter(Boolean),
      date: isoDate(date),
      url: safeHref(url),
    };
    return paper.title ? paper : null;
  }

  /* A page's paper from its Highwire citation_* tags (proceedings sites write them all). */
  function fromCitationTags(doc, url, ids = {}) {
    return makePaper({
      ids: { arxiv: meta(doc, 'citation_arxiv_id'), doi: meta(doc, 'citation_doi'), ...ids },
      title: meta(doc, 'citation_title'),
      abstract: meta(doc, 'citation_abstract') || meta(doc, 'og:description') || meta(doc, 'description'),
      authors: metaAll(doc, 'citation_author').map(authorName),
      date: meta(doc, 'citation_publication_date') || meta(doc, 'citation_date'),
      url: url.href.replace(/#.*$/, ''),
    });
  }

  const api = { clean, meta, fromCitationTags, metaAll, blockText, arxivId, doi, isoDate, authorName, makePaper,
    MAX_ABSTRACT, MAX_TITLE };
  root.PaperlensPaper = api;
  root.PaperlensSites = root.PaperlensSites || [];
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(globalThis);
