/* bioRxiv and medRxiv content pages: www.biorxiv.org/content/10.1101/<id>v<n>[.full|.abstract]. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  // Their citation_abstract holds escaped HTML ("<h3>Abstract</h3><p>…"); keep only the words.
  // This is string work on text that is never parsed as markup.
  function withoutTags(text) {
    return (text || '').replace(/<h\d[^>]*>.*?<\/h\d>/gi, ' ').replace(/<[^>]*>/g, ' ');
  }

  const adapter = {
    site: 'biorxiv',
    label: 'bioRxiv / medRxiv',
    matches: ['*://www.biorxiv.org/content/*', '*://www.medrxiv.org/content/*'],
    priority: 10,
    // PDFs: /content/10.1101/<id>v<n>.full.pdf (and .full-text.pdf); the paper is the DOI's.
    pdf: {
      matches: ['*://www.biorxiv.org/content/*', '*://www.medrxiv.org/content/*'],
      read(url) {
        const m = /(^|\.)(bio|med)rxiv\.org$/.test(url.hostname)
          && url.pathname.match(/^\/content\/(10\.1101\/[^/]+?)(?:v\d+)?\.full(?:-text)?\.pdf$/);
        if (!m) return null;
        return { ids: { doi: m[1] }, pages: [`https://${url.hostname}/content/${m[1]}`] };
      },
    },
    detect(doc, url) {
      return /(^|\.)(bio|med)rxiv\.org$/.test(url.hostname) && /^\/content\/10\.1101\/.+/.test(url.pathname);
    },
    extract(doc, url) {
      const doiFromUrl = url.pathname.replace(/^\/content\//, '').replace(/v\d+(\.[a-z-]+)?\/?$/i, '');
      const doi = P.meta(doc, 'citation_doi') || doiFromUrl;
      return P.makePaper({
        ids: { doi },
        title: P.meta(doc, 'citation_title') || P.blockText(doc, 'h1#page-title, h1.highwire-cite-title')
          || P.meta(doc, 'og:title'),
        abstract: withoutTags(P.meta(doc, 'citation_abstract'))
          || P.blockText(doc, '.section.abstract', 'h2, h3')
          || P.meta(doc, 'DC.Description') || P.meta(doc, 'og:description'),
        authors: P.metaAll(doc, 'citation_author').map(P.authorName),
        date: P.meta(doc, 'citation_publication_date') || P.meta(doc, 'citation_online_date'),
        url: `${url.origin}/content/${doi}`,
      });
    },
  };

  (root.PaperlensSites = root.PaperlensSites || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
