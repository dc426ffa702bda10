/* CVF Open Access (CVPR, ICCV, WACV): openaccess.thecvf.com/content/<CONF>/html/<name>_paper.html
 * (older: /content_<conf>/html/…), whose PDF is …/papers/<name>_paper.pdf. No id but the page: the
 * server finds a PDF's paper by the page's URL (or the PDF's), as it was stored. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  const HOST = /^openaccess\.thecvf\.com$/;
  const PAGE = /^\/content[\w/-]{0,60}\/html\/(?:[\w-]{1,60}\/)?[\w.-]{1,200}_paper\.html$/;
  const PDF = /^(\/content[\w/-]{0,60})\/papers\/((?:[\w-]{1,60}\/)?[\w.-]{1,200}_paper)\.pdf$/;

  const adapter = {
    site: 'cvf',
    label: 'CVF Open Access (CVPR, ICCV, WACV)',
    matches: ['*://openaccess.thecvf.com/*'],
    priority: 10,
    pdf: {
      matches: ['*://openaccess.thecvf.com/*'],
      read(url) {
        const m = HOST.test(url.hostname) && url.pathname.match(PDF);
        return m ? { ids: {}, pages: [`https://openaccess.thecvf.com${m[1]}/html/${m[2]}.html`] } : null;
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
