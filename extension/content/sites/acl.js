/* ACL Anthology paper pages: aclanthology.org/<anthology id>/. The abstract is only in the
 * page body (no citation_abstract), in the "acl-abstract" card. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  // New ids (2020.acl-main.1) and old ones (P17-1001).
  const ANTHOLOGY_ID = /^\/(\d{4}\.[a-z\d-]+\.\d+|[A-Z]\d{2}-\d{4})\/?$/i;

  const adapter = {
    site: 'acl',
    label: 'ACL Anthology',
    matches: ['*://aclanthology.org/*'],
    priority: 10,
    // PDFs: /<anthology id>.pdf (and /<id>v2.pdf). Papers since 2016 carry the DOI 10.18653/v1/<id>.
    pdf: {
      matches: ['*://aclanthology.org/*'],
      read(url) {
        const m = /(^|\.)aclanthology\.org$/.test(url.hostname)
          && url.pathname.match(/^\/(\d{4}\.[a-z\d-]+\.\d+|[A-Z]\d{2}-\d{4})(?:v\d+)?\.pdf$/i);
        if (!m) return null;
        const acl = m[1];
        const ids = { acl };
        if (/^\d{4}\./.test(acl)) ids.doi = `10.18653/v1/${acl}`;
        return { ids, pages: [`https://aclanthology.org/${acl}/`] };
      },
    },
    detect(doc, url) {
      return /(^|\.)aclanthology\.org$/.test(url.hostname) && ANTHOLOGY_ID.test(url.pathname);
    },
    extract(doc, url) {
      const acl = url.pathname.match(ANTHOLOGY_ID)[1];
      return P.makePaper({
        ids: { doi: P.meta(doc, 'citation_doi'), acl },
        title: P.meta(doc, 'citation_title') || P.blockText(doc, '#title') || P.meta(doc, 'og:title'),
        abstract: P.blockText(doc, '.acl-abstract', '.card-title, h5'),
        authors: P.metaAll(doc, 'citation_author').map(P.authorName),
        date: P.meta(doc, 'citation_publication_date'),
        url: `https://aclanthology.org/${acl}/`,
      });
    },
  };

  (root.PaperlensSites = root.PaperlensSites || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
