/* Hugging Face Daily Papers listings: huggingface.co/papers (today), /papers/date/<day>,
 * /papers/week/<week> and /papers/month/<month>. One entry per paper card. */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  const HOST = /(^|\.)huggingface\.co$/;
  const LISTING_PATH = /^\/papers(?:\/(?:date|week|month)\/[\w-]+)?\/?$/;
  const MAX_PROPS = 20_000_000; // a month's listing is a few MB; anything larger is not the listing

  let parsed = { raw: null, byId: new Map() }; // the page is read again when it changes: parse once

  // The page is server-rendered Svelte: the listing's records (title, abstract, authors, date) sit
  // in the DailyPapers hydration blob's data-props; the cards are its rendering.
  function records(doc) {
    const blob = doc.querySelector('[data-target="DailyPapers"][data-props]');
    const raw = blob ? blob.getAttribute('data-props') || '' : '';
    if (raw === parsed.raw) return parsed.byId;
    const byId = new Map();
    parsed = { raw, byId };
    if (!raw || raw.length > MAX_PROPS) return byId;
    let props;
    try { props = JSON.parse(raw); } catch (_) { return byId; }
    const items = props && Array.isArray(props.dailyPapers) ? props.dailyPapers : [];
    for (const item of items) {
      const paper = item && item.paper;
      const id = paper && typeof paper.id === 'string' ? P.arxivId(paper.id) : '';
      if (id && !byId.has(id)) byId.set(id, { ...paper, title: paper.title || item.title, summary: paper.summary || item.summary });
    }
    return byId;
  }

  const names = (authors) => (Array.isArray(authors) ? authors : [])
    .map((a) => (a && typeof a.name === 'string' ? a.name : '')).filter(Boolean);

  const adapter = {
    site: 'huggingface-listings',
    label: 'Hugging Face daily papers (listings)',
    matches: ['*://huggingface.co/papers*'],
    priority: 10,
    detect(doc, url) {
      return HOST.test(url.hostname) && LISTING_PATH.test(url.pathname);
    },
    // Each card's title link names the paper; the hydration blob gives its full record, and the
    // card's own text stands in for a record the blob lacks.
    entries(doc) {
      const byId = records(doc);
      const seen = new Set();
      const entries = [];
      for (const article of doc.querySelectorAll('article')) {
        const heading = article.querySelector('h3');
        const link = heading && heading.querySelector('a[href^="/papers/"]');
        const id = link ? P.arxivId(link.getAttribute('href').split(/[/?#]/)[2] || '') : '';
        if (!id || seen.has(id)) continue;
        seen.add(id);
        const record = byId.get(id) || {};
        const paper = P.makePaper({
          ids: { arxiv: id },
          title: record.title || link.textContent,
          abstract: record.summary || '',
          authors: names(record.authors),
          date: record.publishedAt || '',
          url: `https://arxiv.org/abs/${id}`,
        });
        if (!paper) continue;
        entries.push({ paper, nodes: [article], mount: (host) => heading.after(host) });
      }
      return entries;
    },
  };

  (root.PaperlensListings = root.PaperlensListings || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
