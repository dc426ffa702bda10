/* Fallback for any page with Highwire citation_* meta tags (journals, repositories, preprint
 * servers without an adapter). Its priority is the lowest, so a site adapter always wins; it has
 * no static matches: it runs on other hosts only where the user enabled them in the options. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  function canonical(doc, url) {
    const link = doc.querySelector('link[rel="canonical"]');
    const href = link && link.getAttribute('href');
    try { return href ? new URL(href, url).href : url.href; } catch (_) { return url.href; }
  }

  const adapter = {
    site: 'generic',
    label: 'Other sites with citation meta tags',
    matches: [],
    priority: 0,
    detect(doc) {
      return !!P.meta(doc, 'citation_title');
    },
    extract(doc, url) {
      const dcId = P.meta(doc, 'dc.identifier') || P.meta(doc, 'DC.Identifier');
      return P.makePaper({
        ids: { arxiv: P.meta(doc, 'citation_arxiv_id'), doi: P.meta(doc, 'citation_doi') || P.doi(dcId) },
        title: P.meta(doc, 'citation_title'),
        abstract: P.meta(doc, 'citation_abstract') || P.meta(doc, 'dc.description')
          || P.meta(doc, 'DC.Description') || P.meta(doc, 'og:description') || P.meta(doc, 'description'),
        authors: P.metaAll(doc, 'citation_author').map(P.authorName),
        date: P.meta(doc, 'citation_publication_date') || P.meta(doc, 'citation_date')
          || P.meta(doc, 'citation_online_date'),
        url: canonical(doc, url),
      });
    },
  };

  (root.PaperlensSites = root.PaperlensSites || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
