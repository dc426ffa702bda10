/* NeurIPS proceedings: proceedings.neurips.cc/paper_files/paper/<year>/hash/<hash>-Abstract[-Conference].html
 * (older: /paper/<year>/hash/…), whose PDF is …/file/<hash>-Paper[-Conference].pdf. No id but the
 * page: the server finds a PDF's paper by the page's URL (or the PDF's), as it was stored. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  const HOST = /^(papers\.nips\.cc|proceedings\.neurips\.cc)$/;
  const PAGE = /^\/(?:paper_files\/)?paper\/\d{4}\/hash\/[0-9a-f]{32}-Abstract(?:-[\w]+)?\.html$/;
  const PDF = /^(\/(?:paper_files\/)?paper\/\d{4})\/file\/([0-9a-f]{32})-Paper((?:-[\w]+)?)\.pdf$/;

  const adapter = {
    site: 'neurips',
    label: 'NeurIPS proceedings',
    matches: ['*://proceedings.neurips.cc/*'],
    priority: 10,
    pdf: {
      matches: ['*://proceedings.neurips.cc/*'],
      read(url) {
        const m = HOST.test(url.hostname) && url.pathname.match(PDF);
        return m ? { ids: {}, pages: [`https://proceedings.neurips.cc${m[1]}/hash/${m[2]}-Abstract${m[3]}.html`] } : null;
      },
    },
    detect(doc, url) {
      return HOST.test(url.hostname) && PAGE.test(url.pathname) && !!P.meta(doc, 'citation_title');
    },
    extract(doc, url) {
      return P.fromCitationTags(doc, url);
    },
  };

  (root.PaperlensSites = root.PaperlensSites || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
