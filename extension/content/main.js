/* Content-script entry: find the paper on this page, ask the background worker for related
 * papers, and keep the panel on the page. It never talks to the server itself and never injects
 * scripts into the page: everything here runs in the extension's isolated world, so a page's
 * own `window.chrome`, globals or prototypes cannot reach it. */
(function (root) {
  'use strict';
  if (root.__paperlensStarted) return; // a host may match both a named site and a user-enabled one
  root.__paperlensStarted = true;

  const ext = root.browser || root.chrome;
  const sites = root.PaperlensSites || [];
  // Site adapters first, the generic citation_* adapter last.
  const adapters = sites.filter((a) => a.name !== 'generic').concat(sites.filter((a) => a.name === 'generic'));

  const MESSAGES = {
    unreachable: "Can't reach your Paperlens server.",
    server: 'Your Paperlens server had an error.',
    'bad-request': 'Your Paperlens server could not read this paper.',
    unauthorized: 'Your Paperlens token is missing or wrong.',
    'not-detected': "Paperlens couldn't find a paper title on this page.",
    'no-results': 'No related papers found in your corpus.',
  };
  // The test contract exposes four error kinds; server-side failures read as "unreachable".
  const CONTRACT = { server: 'unreachable', 'bad-request': 'unreachable' };

  let overlay = null;
  let current = null; // { url, paper }
  let wanted = false; // whether this page should show the panel at all
  let generation = 0;

  async function send(message) {
    try {
      const reply = await ext.runtime.sendMessage(message);
      return reply || { ok: false, error: 'unreachable', message: MESSAGES.unreachable };
    } catch (_) {
      // The extension was reloaded or its worker is gone: say "unreachable", never throw into the page.
      return { ok: false, error: 'unreachable', message: MESSAGES.unreachable };
    }
  }

  function ensureOverlay(collapsed, inspectable) {
    if (!overlay) {
      overlay = new root.PaperlensOverlay({
        inspectable,
        onSave: async (id, saved, paper) => {
          const reply = await send({ type: 'save', id, saved, paper: paper || undefined });
          if (!reply.ok && reply.error === 'unauthorized') {
            overlay.showError('unauthorized', MESSAGES.unauthorized, current && current.paper && current.paper.id);
          }
          return reply.ok;
        },
        onCollapse: (value) => { ext.storage.local.set({ collapsed: value }).catch(() => {}); },
        onOptions: () => { send({ type: 'open-options' }); },
      });
      overlay.setCollapsed(!!collapsed, false);
    }
    overlay.mount();
    return overlay;
  }

  function detectAdapter(url) {
    for (const adapter of adapters) {
      try {
        if (adapter.detect(document, url)) return adapter;
      } catch (_) { /* a broken adapter must not stop the others */ }
    }
    return null;
  }

  async function run() {
    const run = ++generation;
    const url = new URL(location.href);
    const adapter = detectAdapter(url);
    current = { url: location.href, paper: null };
    if (!adapter) {
      wanted = false;
      if (overlay) overlay.host.remove();
      return;
    }
    // Only non-secret keys: content scripts never read the server URL or the token.
    let prefs = { sites: {}, collapsed: false, inspectableOverlay: false };
    try {
      prefs = await ext.storage.local.get({ sites: {}, collapsed: false, inspectableOverlay: false });
    } catch (_) { /* defaults */ }
    if (run !== generation) return;
    if (prefs.sites && prefs.sites[adapter.site] === false) {
      wanted = false;
      if (overlay) overlay.host.remove();
      return;
    }
    let paper = null;
    try { paper = adapter.extract(document, url); } catch (_) { paper = null; }
    wanted = true;
    const panel = ensureOverlay(prefs.collapsed, !!prefs.inspectableOverlay);
    current.paper = paper;
    if (!paper) {
      panel.showError('not-detected', MESSAGES['not-detected'], null);
      return;
    }
    panel.showLoading(paper);
    const reply = await send({ type: 'related', paper });
    if (run !== generation) return;
    if (!reply.ok) {
      panel.showError(CONTRACT[reply.error] || reply.error, reply.message || MESSAGES[reply.error] || MESSAGES.unreachable,
        paper.id);
    } else if (!reply.data.results.length) {
      panel.showError('no-results', MESSAGES['no-results'], paper.id);
    } else {
      panel.showResults(paper, reply.data);
    }
  }

  function safeRun() {
    run().catch(() => { /* never surface in the page console */ });
  }

  /* Pages that re-render: put the panel back when it is removed, and start over when a
   * client-side navigation changes the URL. A page that keeps deleting the panel gets a bounded
   * number of re-inserts, so we never fight it in a loop. */
  let reinserts = 0;
  setInterval(() => { reinserts = 0; }, 10000);
  const observer = new MutationObserver(() => {
    if (wanted && overlay && !overlay.host.isConnected && reinserts < 20) {
      reinserts += 1;
      overlay.mount();
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

  ext.runtime.onMessage.addListener((message) => {
    if (message && message.type === 'toggle' && overlay && overlay.host.isConnected) {
      overlay.setCollapsed(!overlay.collapsed, true);
    }
  });

  safeRun();
})(globalThis);
