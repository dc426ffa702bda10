/* Hugging Face paper pages: huggingface.co/papers/<arXiv id>. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  // The page is server-rendered Svelte: the full record sits in a hydration blob's data-props.
  function hydratedPaper(doc) {
    for (const el of doc.querySelectorAll('[data-props]')) {
      const raw = el.getAttribute('data-props') || '';
      if (raw.length > 2_000_000 || !raw.includes('"summary"')) continue;
      try {
        const props = JSON.parse(raw);
        const paper = props.paper || (props.paperData && props.paperData.paper);
        if (paper && paper.title) return paper;
      } catch (_) { /* not ours: keep looking */ }
    }
    return null;
  }

  // Without the blob: the paragraph following the "Abstract" heading.
  function abstractBlock(doc) {
    for (const h of doc.querySelectorAll('h2, h3')) {
      if (h.textContent.trim().toLowerCase() === 'abstract') {
        const p = h.parentElement && h.parentElement.querySelector('p');
        if (p) return p.textContent;
      }
    }
    return '';
  }

  const adapter = {
    site: 'huggingface',
    label: 'Hugging Face papers',
    matches: ['*://huggingface.co/papers/*'],
    priority: 10,
    detect(doc, url) {
      return /(^|\.)huggingface\.co$/.test(url.hostname) && /^\/papers\/\d{4}\.\d{4,5}/.test(url.pathname);
    },
    extract(doc, url) {
      const arxiv = P.arxivId(url.pathname.split('/')[2]);
      const data = hydratedPaper(doc) || {};
      const ogTitle = P.meta(doc, 'og:title').replace(/^Paper page - /, '');
      return P.makePaper({
        ids: { arxiv: data.id || arxiv },
        title: data.title || P.blockText(doc, 'h1') || ogTitle,
        abstract: data.summary || abstractBlock(doc) || P.meta(doc, 'og:description'),
        authors: (data.authors || []).map((a) => (a && a.name) || '').filter(Boolean),
        date: data.publishedAt || '',
        url: `https://arxiv.org/abs/${arxiv}`,
      });
    },
  };

  (root.PaperlensSites = root.PaperlensSites || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
