/* Which paper a PDF's URL names, from what the site adapters declare beside their page patterns
 * (`pdf: {matches, read(url)}`): the ids the URL carries (arXiv, OpenReview, ACL, DOI) and the
 * paper's page URLs, by which the server may know it. Content scripts cannot run in a browser's
 * PDF viewer, so the side panel and the popup read the tab's URL with this instead. */
(function (root) {
  'use strict';

  // "*://arxiv.org/pdf/*" as a test of a URL (scheme http(s), host exact, path and query by glob).
  function matchesPattern(pattern, url) {
    const m = pattern.match(/^(\*|https?):\/\/([^/]+)(\/.*)$/);
    if (!m || (m[1] !== '*' && `${m[1]}:` !== url.protocol)) return false;
    if (!/^https?:$/.test(url.protocol) || m[2] !== url.hostname) return false;
    const glob = new RegExp(`^${m[3].replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    return glob.test(url.pathname + url.search);
  }

  /* {site, label, ids, pages, url} for a PDF URL an adapter declares, else null. */
  function pdfPaper(href, adapters) {
    let url;
    try { url = new URL(href); } catch (_) { return null; }
    for (const adapter of adapters || []) {
      const pdf = adapter.pdf;
      if (!pdf || !pdf.matches.some((p) => matchesPattern(p, url))) continue;
      let found = null;
      try { found = pdf.read(url); } catch (_) { found = null; }
      if (found) {
        return { site: adapter.site, label: adapter.label, ids: found.ids || {}, pages: found.pages || [],
          url: url.href.replace(/#.*$/, '') };
      }
    }
    return null;
  }

  const api = { pdfPaper, matchesPattern };
  root.PaperlensPdfUrls = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(globalThis);
