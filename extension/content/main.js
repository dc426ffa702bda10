/* Content-script entry: on a listing page, annotate every paper on it (content/listing.js); on a
 * paper page, find the paper and ask the background worker for related papers; keep the panel on
 * the page. It never talks to the server itself and never injects scripts into the page:
 * everything here runs in the extension's isolated world, so a page's own `window.chrome`,
 * globals or prototypes cannot reach it. */
(function (root) {
  'use strict';
  if (root.__paperlensStarted) return; // a host may match both a named site and a user-enabled one
  root.__paperlensStarted = true;

  const ext = root.browser || root.chrome;
  const { send } = root.PaperlensMessages;
  // The most specific adapter first: every site adapter outranks the generic citation_* one.
  const byPriority = (list) => (list || []).slice().sort((a, b) => b.priority - a.priority);
  const adapters = byPriority(root.PaperlensSites);
  const listings = byPriority(root.PaperlensListings);

  const MESSAGES = {
    unreachable: "Can't reach your Paperlens server.",
    server: 'Your Paperlens server answered with an error.',
    unauthorized: 'Your Paperlens server needs a token to show related papers: connect Paperlens to it.',
    extension: 'Paperlens was reloaded or updated: reload this page.',
    'not-detected': "Paperlens couldn't find a paper title on this page.",
    'no-results': 'No related papers found in your corpus.',
  };

  // What a save through to Zotero came to (background/zotero.js), said in the panel's notice line.
  const ZOTERO = {
    saved: 'Saved, and to Zotero.',
    'not-reached': 'Saved to Paperlens. Zotero was not reached: is the Zotero app running?',
    refused: 'Saved to Paperlens. Zotero did not take the item.',
  };

  let overlay = null;
  let listing = null; // the PaperlensListing of a listing page
  let current = null; // { url, paper }
  let wanted = false; // whether this page should show the panel at all
  let generation = 0;

  function ensureOverlay(prefs) {
    if (!overlay) {
      overlay = new root.PaperlensOverlay({
        inspectable: !!prefs.inspectableOverlay,
        onSave: async (id, saved, paper) => {
          const reply = await send({ type: 'save', id, saved, paper: paper || undefined });
          if (!reply.ok && reply.error === 'unauthorized') overlay.offerConnect(reply.message);
          if (reply.ok && reply.data && reply.data.zotero) overlay.notify(ZOTERO[reply.data.zotero] || '');
          return reply.ok;
        },
        onCollapse: (value) => { ext.storage.local.set({ collapsed: value }).catch(() => {}); },
        onOptions: () => { send({ type: 'open-options' }); },
        onConnect: () => { send({ type: 'open-options', section: 'connect' }); },
        onLibrary: () => { send({ type: 'open-library' }); },
        onRelatedView: (choice) => { // { relatedSort } or { relatedSince }, remembered for the next papers
          ext.storage.local.set(choice).catch(() => {});
          safeRun();
        },
      });
      overlay.setCollapsed(!!prefs.collapsed, false);
    }
    overlay.mount();
    return overlay;
  }

  function detectAdapter(list, url) {
    for (const adapter of list) {
      try {
        if (adapter.detect(document, url)) return adapter;
      } catch (_) { /* a broken adapter must not stop the others */ }
    }
    return null;
  }

  function stopListing() {
    if (listing) listing.stop();
    listing = null;
  }

  function stop() {
    wanted = false;
    stopListing();
    if (overlay) overlay.unmount();
  }

  async function run() {
    const run = ++generation;
    const url = new URL(location.href);
    const listingAdapter = detectAdapter(listings, url);
    const adapter = listingAdapter || detectAdapter(adapters, url);
    current = { url: location.href, paper: null };
    stopListing();
    if (!adapter) return stop();
    // Only non-secret keys: content scripts never read the server URL or the token.
    let prefs = { sites: {}, collapsed: false, inspectableOverlay: false, relatedSort: 'score', relatedSince: '' };
    try {
      prefs = await ext.storage.local.get(prefs);
    } catch (_) { /* defaults */ }
    if (run !== generation) return undefined;
    if (prefs.sites && prefs.sites[adapter.site] === false) return stop();
    if (listingAdapter) {
      wanted = true;
      const panel = ensureOverlay(prefs);
      // A listing fills the page's width: the panel docks beside it rather than cover its papers.
      panel.setDocked(true);
      listing = new root.PaperlensListing(listingAdapter, panel, { inspectable: !!prefs.inspectableOverlay });
      return listing.start();
    }
    let paper = null;
    try { paper = adapter.extract(document, url); } catch (_) { paper = null; }
    wanted = true;
    const panel = ensureOverlay(prefs);
    let docked = false;
    try { docked = !!(adapter.fullText && adapter.fullText(document, url)); } catch (_) { docked = false; }
    panel.setDocked(docked);
    current.paper = paper;
    if (!paper) return panel.showError('not-detected', MESSAGES['not-detected'], null);
    panel.showLoading(paper);
    // "This year only" starts at this year's first day where the reader is.
    const since = prefs.relatedSince === 'year' ? `${new Date().getFullYear()}-01-01` : undefined;
    const reply = await send({ type: 'related', paper, sort: prefs.relatedSort === 'date' ? 'date' : 'score', since });
    if (run !== generation) return undefined;
    if (!reply.ok) {
      return panel.showError(reply.error, reply.message || MESSAGES[reply.error] || MESSAGES.server, paper.id);
    }
    // Nothing since the chosen day is not "nothing related": the panel keeps the toggle to go back.
    if (!reply.data.results.length && !reply.data.since) return panel.showError('no-results', MESSAGES['no-results'], paper.id);
    return panel.showResults(paper, reply.data);
  }

  function safeRun() {
    run().catch(() => { /* never surface in the page console */ });
  }

  /* Pages that re-render: put the panel back when it is removed, and start over when a
   * client-side navigation changes the URL. A page that keeps deleting the panel gets a bounded
   * number of re-inserts, so we never fight it in a loop. */
  let reinserts = 0;
  setInterval(() => { reinserts = 0; }, 10000);
  let repairTimer = null;
  const observer = new MutationObserver(() => {
    if (wanted && overlay && !overlay.host.isConnected && reinserts < 20) {
      reinserts += 1;
      overlay.mount();
    }
    // A listing that re-renders its cards gets ours back, once the page has settled.
    if (listing && !repairTimer) {
      repairTimer = setTimeout(() => {
        repairTimer = null;
        if (listing) listing.repair();
      }, 300);
    }
  });
  observer.observe(document, { childList: true, subtree: true });

  let lastUrl = location.href;
  let navTimer = null;
  function checkUrl() {
    if (location.href === lastUrl) return;
    lastUrl = location.href;
    clearTimeout(navTimer);
    // Give the page a moment to render the new paper before reading it.
    navTimer = setTimeout(safeRun, 400);
  }
  setInterval(checkUrl, 1000);
  root.addEventListener('popstate', checkUrl);

  ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (message && message.type === 'toggle' && overlay && overlay.host.isConnected) {
      overlay.setCollapsed(!overlay.collapsed, true);
    }
    // The side panel asks which paper this page is (only the extension can message a content
    // script; the answer is what the adapter read from the page, nothing of the server's).
    if (message && message.type === 'paper' && sender.id === ext.runtime.id) {
      sendResponse({ paper: (current && current.url === location.href && current.paper) || null,
        listing: !!listing });
    }
    return false;
  });

  // Connecting (or switching server) in another tab: draw this page again with the new answer.
  // Only which keys changed is looked at, never their values.
  ext.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && wanted && (changes.token || changes.serverUrl)) safeRun();
  });

  safeRun();
})(globalThis);
