/* OpenReview forum pages: openreview.net/forum?id=<note id>. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  // The abstract field in the rendered note: a label "Abstract:" then its value.
  function abstractField(doc) {
    for (const label of doc.querySelectorAll('.note-content-field, strong')) {
      if (/^abstract:?$/i.test(label.textContent.trim())) {
        const value = label.parentElement && label.parentElement.querySelector('.note-content-value');
        if (value) return value.textContent;
      }
    }
    return '';
  }

  const adapter = {
    site: 'openreview',
    label: 'OpenReview',
    matches: ['*://openreview.net/forum*'],
    priority: 10,
    // PDFs: /pdf?id=<note id>; the server knows the paper by its forum page (or the PDF's URL).
    pdf: {
      matches: ['*://openreview.net/pdf*'],
      read(url) {
        const id = /(^|\.)openreview\.net$/.test(url.hostname) && url.pathname === '/pdf' && url.searchParams.get('id');
        if (!id || !/^[\w-]{1,100}$/.test(id)) return null;
        return { ids: { openreview: id }, pages: [`https://openreview.net/forum?id=${id}`] };
      },
    },
    detect(doc, url) {
      return /(^|\.)openreview\.net$/.test(url.hostname) && url.pathname === '/forum'
        && !!url.searchParams.get('id');
    },
    extract(doc, url) {
      const id = url.searchParams.get('id');
      return P.makePaper({
        ids: { arxiv: P.meta(doc, 'citation_arxiv_id'), doi: P.meta(doc, 'citation_doi'), openreview: id },
        title: P.meta(doc, 'citation_title') || P.blockText(doc, '.forum-title h2, h2.citation_title')
          || P.meta(doc, 'og:title'),
        abstract: P.meta(doc, 'citation_abstract') || abstractField(doc) || P.meta(doc, 'og:description'),
        authors: P.metaAll(doc, 'citation_author').map(P.authorName),
        date: P.meta(doc, 'citation_publication_date') || P.meta(doc, 'citation_online_date'),
        url: `https://openreview.net/forum?id=${encodeURIComponent(id)}`,
      });
    },
  };

  (root.PaperlensSites = root.PaperlensSites || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
