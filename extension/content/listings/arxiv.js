/* arXiv listings: /list/<category>/new, /recent, /pastweek and /<yymm> (current and pre-2024
 * layouts). One entry per <dt> (the id and links) and its <dd> (title, authors, abstract on /new). */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  const HOST = /^(www\.)?arxiv\.org$/;
  const LISTING_PATH = /^\/list\/[a-z-]+(?:\.[A-Za-z-]+)?\/(?:new|recent|pastweek|\d{4}|\d{4}-\d{2})\/?$/;

  function text(node, dropSelector) {
    if (!node) return '';
    const copy = node.cloneNode(true);
    copy.querySelectorAll(dropSelector).forEach((n) => n.remove());
    return copy.textContent || '';
  }

  function entryOf(dt) {
    const link = dt.querySelector('a[title="Abstract"]') || dt.querySelector('a[href*="/abs/"]');
    if (!link) return null;
    // The link's text is "arXiv:2407.21783" (its href may carry a version or a host).
    const id = P.arxivId(link.textContent) || P.arxivId((link.getAttribute('href') || '').replace(/^.*\/abs\//, ''));
    if (!id) return null;
    const dd = dt.nextElementSibling && dt.nextElementSibling.tagName === 'DD' ? dt.nextElementSibling : null;
    const paper = P.makePaper({
      ids: { arxiv: id },
      title: dd ? text(dd.querySelector('.list-title'), '.descriptor') : '',
      // Only /new shows abstracts; the other listings rank on titles alone.
      abstract: dd ? text(dd.querySelector('p.mathjax'), 'script') : '',
      authors: dd ? Array.from(dd.querySelectorAll('.list-authors a'), (a) => a.textContent) : [],
      url: `https://arxiv.org/abs/${id}`,
    });
    return paper && { paper, nodes: dd ? [dt, dd] : [dt], mount: (host) => dt.append(host) };
  }

  const adapter = {
    site: 'arxiv-listings',
    label: 'arXiv listings (new, recent, by month)',
    matches: ['*://arxiv.org/list/*'],
    priority: 10,
    detect(doc, url) {
      return HOST.test(url.hostname) && LISTING_PATH.test(url.pathname);
    },
    entries(doc) {
      const seen = new Set();
      const entries = [];
      for (const dt of doc.querySelectorAll('dl > dt')) {
        const entry = entryOf(dt);
        // A paper listed twice (a cross-list also under replacements) is annotated once.
        if (!entry || seen.has(entry.paper.id)) continue;
        seen.add(entry.paper.id);
        entries.push(entry);
      }
      return entries;
    },
  };

  (root.PaperlensListings = root.PaperlensListings || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
