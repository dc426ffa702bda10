/* Paperlens background, settings: what the user chose, kept in storage.local. The server URL and
 * the token live under exactly the keys `serverUrl` and `token`; only the background reads them. */
'use strict';

const ext = globalThis.browser || globalThis.chrome;

const DEFAULTS = {
  serverUrl: 'http://127.0.0.1:8420', // where `paperlens serve` listens by default
  token: '',
  k: 10,
  saveOpened: false, // "Add papers I open to my corpus": off unless the user opts in
  sites: {}, // site -> false when the user switched that site off
  genericHosts: [], // hosts where the user enabled the generic citation_* adapter
  zoteroSave: false, // "Also save to Zotero": each save goes to the Zotero app's connector too
  zoteroPort: 23119, // where the Zotero app listens (Zotero's default)
};

async function getSettings() {
  const stored = await ext.storage.local.get(Object.keys(DEFAULTS));
  const s = { ...DEFAULTS, ...stored };
  s.serverUrl = String(s.serverUrl || DEFAULTS.serverUrl).replace(/\/+$/, '');
  s.k = Math.min(100, Math.max(1, parseInt(s.k, 10) || DEFAULTS.k));
  return s;
}

// What extension pages may see: everything but the token itself.
async function publicSettings() {
  const s = await getSettings();
  const { token, ...rest } = s;
  return { ...rest, hasToken: !!token };
}

async function setSettings(patch) {
  const allowed = {};
  for (const key of Object.keys(DEFAULTS)) if (key in patch) allowed[key] = patch[key];
  await ext.storage.local.set(allowed);
  await cacheClear();
  return publicSettings();
}
