/* Which tab the side panel shows: tab N when opened with ?tabId=N (tests, links); otherwise the
 * active tab of the window the panel belongs to (Chromium's side panel, Firefox's sidebar), or,
 * when the panel is a tab or a window of its own, the tab last made active in a normal window.
 * When that tab updates (a new URL, or loaded: a page's content script has read it by then) it
 * calls `show(tabId, {loaded: true})`, and the panel draws again if the URL is not the one drawn. */
(function (root) {
  'use strict';
  const ext = root.browser || root.chrome;

  async function follow(show) {
    const asked = new URLSearchParams(location.search).get('tabId');
    const fixed = asked !== null && /^\d{1,10}$/.test(asked) ? Number(asked) : null;
    let followed = null;
    let timer = null;
    let changed = false; // another tab since the last draw, not only an update of the same one
    const showSoon = (tabId, loaded = false) => {
      if (followed !== tabId || !loaded) changed = true;
      followed = tabId;
      clearTimeout(timer);
      // A navigation fires several updates (url, loading, complete): draw once they settle.
      timer = setTimeout(() => {
        const onlyLoaded = !changed;
        changed = false;
        show(tabId, { loaded: onlyLoaded });
      }, 120);
    };
    ext.tabs.onUpdated.addListener((tabId, change) => {
      if (tabId === followed && (change.url || change.status === 'complete')) showSoon(tabId, true);
    });
    if (fixed !== null) {
      followed = fixed;
      show(fixed);
      return;
    }
    const me = await ext.tabs.getCurrent().catch(() => undefined); // undefined in a side panel or sidebar
    const own = await ext.windows.getCurrent().catch(() => null);
    const panelWindow = !me && own && own.type === 'normal' ? own.id : null;
    const isNormal = async (windowId) => {
      try { return (await ext.windows.get(windowId)).type === 'normal'; } catch (_) { return false; }
    };
    ext.tabs.onActivated.addListener(async ({ tabId, windowId }) => {
      if (me && tabId === me.id) return;
      if (panelWindow !== null ? windowId === panelWindow : await isNormal(windowId)) showSoon(tabId);
    });
    ext.tabs.onRemoved.addListener((tabId) => { if (tabId === followed) start(); });
    async function start() {
      let windowId = panelWindow;
      if (windowId === null) {
        const last = await ext.windows.getLastFocused({ windowTypes: ['normal'] }).catch(() => null);
        windowId = last ? last.id : null;
      }
      const [tab] = windowId === null ? [] : await ext.tabs.query({ active: true, windowId });
      if (tab && (!me || tab.id !== me.id)) {
        followed = tab.id;
        show(tab.id);
      } else {
        show(null);
      }
    }
    start();
  }

  root.PaperlensFollowing = { follow };
})(globalThis);
