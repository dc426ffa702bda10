/* The paper in a tab, for the side panel and the popup: a PDF's by the ids and page URLs its URL
 * carries (the adapters' `pdf` declarations), resolved by the server; a page's by asking the
 * content script there what its adapter read. Otherwise what Paperlens would need. */
(function (root) {
  'use strict';
  const ext = root.browser || root.chrome;
  const { send } = root.PaperlensMessages;
  const { pdfPaper } = root.PaperlensPdfUrls;

  const short = (a) => a.label.replace(/ \(.*\)$/, '');
  // "paper pages on A, B, …, and PDFs from A, C, …": what the adapters declare.
  function sitesLine(adapters) {
    const pages = adapters.filter((a) => a.matches.length).map(short).join(', ');
    const pdfs = adapters.filter((a) => a.pdf).map(short).join(', ');
    return `paper pages on ${pages}, and PDFs from ${pdfs}`;
  }

  function unknown(reason, extra = {}) {
    return { state: 'unknown', reason, ...extra };
  }

  /* {state: 'paper', paper, source: 'pdf'|'page', label} | {state: 'unknown', reason} |
   * {state: 'error', error, message} */
  async function tabPaper(tabId, adapters) {
    let tab;
    try {
      tab = await ext.tabs.get(tabId);
    } catch (_) {
      return unknown('That tab is closed.');
    }
    const sites = sitesLine(adapters);
    // The browser shows an extension a tab's URL only on sites it has a permission for.
    if (!tab || !tab.url) {
      return unknown(`Paperlens reads ${sites}: open a paper there.`);
    }
    const pdf = pdfPaper(tab.url, adapters);
    if (pdf) {
      const reply = await send({ type: 'pdf:paper', ids: pdf.ids, pages: pdf.pages, url: pdf.url });
      if (!reply.ok) return { state: 'error', error: reply.error, message: reply.message };
      if (!reply.data) {
        return unknown(`This ${pdf.label.replace(/ \(.*\)$/, '')} PDF is not in your Paperlens corpus yet: `
          + 'open its page once (with "Add papers I open to my corpus" on) or ingest it, and its related papers show here.',
        { page: pdf.pages[0] || '' });
      }
      return { state: 'paper', paper: reply.data, source: 'pdf', label: pdf.label, url: tab.url };
    }
    let answer = null;
    try {
      answer = await ext.tabs.sendMessage(tabId, { type: 'paper' });
    } catch (_) { answer = null; } // no content script in that tab (not a paper site, or still loading)
    if (answer && answer.paper) return { state: 'paper', paper: answer.paper, source: 'page', url: tab.url };
    if (answer && answer.listing) {
      return unknown('A listing of papers: Paperlens scores each one on the page. Open a paper to see its related work here.');
    }
    if (answer) return unknown("Paperlens couldn't find a paper title on this page.");
    return unknown(`This page is not one Paperlens reads. It reads ${sites}; other sites with citation `
      + 'tags once you add them in the options.');
  }

  root.PaperlensTabPaper = { tabPaper };
})(globalThis);
