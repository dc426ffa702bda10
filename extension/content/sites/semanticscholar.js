/* Semantic Scholar paper pages: semanticscholar.org/paper/<slug>/<corpus sha>. The abstract is
 * in the page's JSON-LD; titles carry a " | Semantic Scholar" suffix (and sometimes "[PDF] "). */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  function scholarlyArticle(doc) {
    for (const script of doc.querySelectorAll('script[type="application/ld+json"]')) {
      let data;
      try { data = JSON.parse(script.textContent); } catch (_) { continue; }
      const nodes = [].concat(data['@graph'] || data);
      for (const node of nodes) {
        if (node && typeof node === 'object' && (node.abstract || /Article/.test(String(node['@type'])))) {
          return node;
        }
      }
    }
    return {};
  }

  function stripSiteSuffix(title) {
    return (title || '').replace(/\s*\|\s*Semantic Scholar\s*$/i, '').replace(/^\[PDF\]\s*/i, '');
  }

  const adapter = {
    site: 'semanticscholar',
    label: 'Semantic Scholar',
    matches: ['*://www.semanticscholar.org/paper/*'],
    priority: 10,
    detect(doc, url) {
      return /(^|\.)semanticscholar\.org$/.test(url.hostname) && /^\/paper\//.test(url.pathname);
    },
    extract(doc, url) {
      const ld = scholarlyArticle(doc);
      const sha = (url.pathname.match(/([0-9a-f]{40})\/?$/) || [])[1] || '';
      const sameAs = [].concat(ld.sameAs || [], ld.identifier || []).map(String).join(' ');
      const arxiv = P.meta(doc, 'citation_arxiv_id') || (sameAs.match(/arxiv\.org\/abs\/(\S+)/i) || [])[1];
      const authors = [].concat(ld.author || []).map((a) => (typeof a === 'string' ? a : a && a.name) || '');
      return P.makePaper({
        ids: { arxiv, doi: P.meta(doc, 'citation_doi') || P.doi(sameAs), s2: sha },
        title: stripSiteSuffix(P.meta(doc, 'citation_title') || ld.name || ld.headline
          || P.meta(doc, 'og:title') || doc.title),
        abstract: ld.abstract || P.meta(doc, 'citation_abstract') || P.meta(doc, 'og:description'),
        authors: authors.length ? authors : P.metaAll(doc, 'citation_author').map(P.authorName),
        date: ld.datePublished || P.meta(doc, 'citation_publication_date'),
        url: url.origin + url.pathname,
      });
    },
  };

  (root.PaperlensSites = root.PaperlensSites || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
