/* arXiv abstract pages (/abs/) and HTML full-text pages (/html/), current and older layouts. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  function idFromUrl(url) {
    const m = url.pathname.match(/^\/(?:abs|html)\/(.+?)\/?$/);
    return m ? P.arxivId(m[1]) : '';
  }

  // "[Submitted on 12 Jun 2017 (v1), last revised ...]" is the only date older pages give.
  function datelineDate(doc) {
    const line = P.blockText(doc, '.dateline');
    const m = line.match(/Submitted on (\d{1,2} \w+ \d{4})/);
    return m ? m[1] : '';
  }

  const adapter = {
    name: 'arxiv',
    site: 'arxiv',
    detect(doc, url) {
      return /(^|\.)arxiv\.org$/.test(url.hostname) && /^\/(abs|html)\/.+/.test(url.pathname);
    },
    extract(doc, url) {
      const arxiv = P.meta(doc, 'citation_arxiv_id') || idFromUrl(url);
      const title = P.meta(doc, 'citation_title')
        || P.blockText(doc, 'h1.title', '.descriptor')
        || P.blockText(doc, 'h1.ltx_title_document')
        || P.meta(doc, 'og:title');
      // Older pages lack citation_abstract: the abstract block, then og:description.
      const abstract = P.meta(doc, 'citation_abstract')
        || P.blockText(doc, 'blockquote.abstract', '.descriptor')
        || P.blockText(doc, '.ltx_abstract', '.ltx_title_abstract')
        || P.meta(doc, 'og:description');
      let authors = P.metaAll(doc, 'citation_author').map(P.authorName);
      if (!authors.length) {
        // LaTeXML names carry affiliation marks in <sup>: drop them.
        authors = Array.from(doc.querySelectorAll('.authors a, .ltx_authors .ltx_personname')).map((a) => {
          const copy = a.cloneNode(true);
          copy.querySelectorAll('sup').forEach((n) => n.remove());
          return copy.textContent;
        });
      }
      return P.makePaper({
        ids: { arxiv },
        title,
        abstract,
        authors,
        date: P.meta(doc, 'citation_date') || datelineDate(doc),
        url: arxiv ? `https://arxiv.org/abs/${P.arxivId(arxiv)}` : url.href,
      });
    },
  };

  (root.PaperlensSites = root.PaperlensSites || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
