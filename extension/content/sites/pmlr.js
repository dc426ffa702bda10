/* PMLR (Proceedings of Machine Learning Research): proceedings.mlr.press/v<volume>/<key>.html,
 * whose PDF is /v<volume>/<key>/<key>.pdf. No id but the page: the server finds a PDF's paper by
 * the page's URL (or the PDF's), as it was stored. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  const HOST = /^proceedings\.mlr\.press$/;
  const PAGE = /^\/(v\d{1,4})\/([\w.-]{1,100})\.html$/;

  const adapter = {
    site: 'pmlr',
    label: 'PMLR (ICML, AISTATS, CoRL, … proceedings)',
    matches: ['*://proceedings.mlr.press/*'],
    priority: 10,
    pdf: {
      matches: ['*://proceedings.mlr.press/*'],
      read(url) {
        const m = HOST.test(url.hostname) && url.pathname.match(/^\/(v\d{1,4})\/([\w.-]{1,100})\/([\w.-]{1,100})\.pdf$/);
        return m ? { ids: {}, pages: [`https://proceedings.mlr.press/${m[1]}/${m[2]}.html`] } : null;
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
