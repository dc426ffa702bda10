/* Paperlens background, the entry point: who may ask for what, the toolbar menu, the keyboard
 * shortcut, the first-run page, and the content scripts for sites the user enabled. */
'use strict';

function openOptions(section) {
  const page = `options/options.html${section ? `#${section}` : ''}`;
  if (!section) return ext.runtime.openOptionsPage();
  return ext.tabs.create({ url: ext.runtime.getURL(page) });
}

// The library page's views a link may open directly (library.html#draft); the saved list otherwise.
const LIBRARY_VIEWS = ['recs', 'draft', 'digest'];

function openLibrary(view) {
  const hash = LIBRARY_VIEWS.includes(view) ? `#${view}` : '';
  return ext.tabs.create({ url: ext.runtime.getURL(`library/library.html${hash}`) });
}

// What a content script may ask: it runs on pages we do not control, so a page that subverted
// its renderer must gain nothing from these (no settings, no list, no exports).
const CONTENT_HANDLERS = {
  related: (m) => related(m.paper, { sort: m.sort, since: m.since }),
  'rank-listing': (m) => rankListing(m),
  save: (m) => save(m),
  'open-options': (m) => openOptions(m.section === 'connect' ? 'connect' : ''),
  'open-library': (m) => openLibrary(m.view),
  'connect:link': (m, sender) => connectFromLink(m, sender),
};

// What the extension's own pages (popup, options, library) may ask as well.
const PAGE_HANDLERS = {
  ...CONTENT_HANDLERS,
  library: (m) => listPage(m),
  'library:all': () => libraryAll(),
  'library:edit': (m) => editEntry(m),
  'library:note': (m) => queueNote(m.id, m.note),
  'library:remove': (m) => removeEntries(m),
  'library:restore': (m) => restoreEntries(m),
  'library:tag': (m) => tagEntries(m),
  export: (m) => exportEntries(m),
  recommendations: (m) => recommendations(m),
  'more-like-this': (m) => moreLikeThis(m),
  dismiss: (m) => dismiss(m),
  'draft:missing': (m) => missingForDraft(m),
  digest: (m) => digest(m),
  'digest:feed': (m) => digestFeed(m),
  'pdf:paper': (m) => pdfPaper(m),
  'zotero:import': (m) => importZotero(m),
  'zotero:ping': () => getSettings().then((s) => pingZotero(s.zoteroPort)),
  remove: (m) => save({ id: m.id, saved: false }),
  tags: (m) => editEntry({ id: m.id, tags: m.tags }),
  health: () => health(),
  'settings:get': () => publicSettings(),
  'settings:set': (m) => setSettings(m.settings || {}),
  'connect:code': (m) => connectWithCode(m),
  'connect:pending': () => pendingConnection(),
  'connect:confirm': (m) => confirmConnection(m),
  disconnect: () => disconnect(),
};

function isExtensionPage(sender) {
  return typeof sender.url === 'string' && sender.url.startsWith(ext.runtime.getURL(''));
}

ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Only this extension's own pages and content scripts reach here (no externally_connectable).
  if (!message || sender.id !== ext.runtime.id) return false;
  const handlers = isExtensionPage(sender) ? PAGE_HANDLERS : CONTENT_HANDLERS;
  const handler = Object.prototype.hasOwnProperty.call(handlers, message.type) ? handlers[message.type] : null;
  if (!handler) return false;
  Promise.resolve()
    .then(() => handler(message, sender))
    .then((data) => sendResponse({ ok: true, data: data === undefined ? null : data }))
    .catch((e) => sendResponse({ ok: false, error: e.code || 'server', message: e.message }));
  return true; // answer asynchronously
});

/* ---------- the keyboard shortcut ---------- */

ext.commands.onCommand.addListener(async (command) => {
  if (command !== 'toggle-overlay') return;
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  if (tab && tab.id !== undefined) ext.tabs.sendMessage(tab.id, { type: 'toggle' }).catch(() => {});
});

/* ---------- the toolbar button's menu ---------- */

const menus = ext.contextMenus || ext.menus;
function createMenus() {
  if (!menus) return;
  menus.removeAll(() => {
    menus.create({ id: 'open-library', title: 'Open Paperlens library', contexts: ['action'] });
    menus.create({ id: 'open-options', title: 'Paperlens options', contexts: ['action'] });
    menus.create({ id: 'open-panel', title: 'Open the Paperlens side panel', contexts: ['action'] });
  });
}
// The side panel follows the active tab (sidepanel/panel.html). Chromium: sidePanel; Firefox:
// the sidebar. Both may only be opened from a user's gesture, which a menu click is.
function openSidePanel(windowId) {
  if (ext.sidePanel && ext.sidePanel.open) return ext.sidePanel.open({ windowId });
  if (ext.sidebarAction && ext.sidebarAction.open) return ext.sidebarAction.open();
  return undefined;
}
function onMenuClicked(info, tab) {
  if (info.menuItemId === 'open-panel') Promise.resolve(openSidePanel(tab && tab.windowId)).catch(() => {});
  if (info.menuItemId === 'open-library') openLibrary();
  if (info.menuItemId === 'open-options') openOptions('');
}
if (menus) menus.onClicked.addListener(onMenuClicked);

/* ---------- the generic adapter on sites the user enabled ---------- */
// Those hosts are optional permissions granted at runtime from the options page; the content
// scripts (the same files as for the named sites: the adapters pick by priority) are registered
// only for hosts whose permission is actually held.

/* The content scripts' files as registerContentScripts wants them: paths from the extension's root.
 * Firefox's getManifest() gives them as full moz-extension:// URLs, Chromium as written. */
function contentScriptFiles() {
  const root = ext.runtime.getURL('/');
  const asPath = (file) => new URL(file, root).pathname.replace(/^\//, '');
  const entry = ext.runtime.getManifest().content_scripts
    .find((c) => c.js.some((file) => asPath(file) === 'content/main.js'));
  return entry.js.map(asPath);
}

async function syncGenericScripts() {
  if (!ext.scripting || !ext.scripting.registerContentScripts) return;
  const { genericHosts = [] } = await ext.storage.local.get('genericHosts');
  const matches = [];
  for (const host of genericHosts) {
    // Both schemes when granted (the options page asks for *://host/*), else whichever is held.
    for (const origin of [`*://${host}/*`, `https://${host}/*`, `http://${host}/*`]) {
      if (await ext.permissions.contains({ origins: [origin] })) {
        matches.push(origin);
        if (origin.startsWith('*')) break;
      }
    }
  }
  try {
    await ext.scripting.unregisterContentScripts({ ids: ['paperlens-generic'] });
  } catch (_) { /* nothing registered yet */ }
  if (matches.length) {
    await ext.scripting.registerContentScripts([{
      id: 'paperlens-generic', matches, js: contentScriptFiles(), runAt: 'document_end',
    }]);
  }
}

ext.runtime.onInstalled.addListener((details) => {
  createMenus();
  syncGenericScripts().catch(() => {});
  // First run: the library page says what works already (reading) and how to connect (saving).
  if (details.reason === 'install') openLibrary();
});
ext.runtime.onStartup.addListener(() => {
  createMenus();
  syncGenericScripts().catch(() => {});
  flushNotes().catch(() => {});
});
if (ext.permissions.onRemoved) ext.permissions.onRemoved.addListener(() => { syncGenericScripts().catch(() => {}); });
ext.storage.onChanged.addListener((changes, area) => {
  // Tests and the options page may write settings directly; a new server or token invalidates answers.
  if (area === 'local' && (changes.serverUrl || changes.token || changes.k || changes.saveOpened)) {
    cacheClear();
  }
  if (area === 'local' && changes.genericHosts) syncGenericScripts().catch(() => {});
});
// A worker stopped with notes still queued sends them when it wakes.
flushNotes().catch(() => {});
