/* Paperlens background, connecting to a server: a one-time pairing code (typed on an extension
 * page, or read by our content script from the link `paperlens serve` prints) is exchanged for a
 * token. Only this worker ever holds the token; see docs/extension.md for the threat model. */
'use strict';

const CLIENT = ext.runtime.getURL('').startsWith('moz-extension:') ? 'firefox' : 'chromium';
const PENDING_TTL_MS = 10 * 60 * 1000;

let pendingLink = null; // { origin, code, at }: a link to a server other than the configured one

function serverOrigin(url) {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ApiError('bad-request', 'The server URL must start with http:// or https://');
  return u.origin;
}

async function exchange(serverUrl, code) {
  const clean = String(code || '').trim().slice(0, 64);
  if (!clean) throw new ApiError('bad-request', 'Enter the code that `paperlens connect` printed.');
  // The code goes in the body of a POST, never in a URL; the server accepts it only from an
  // extension origin, so a web page that learned a code still cannot trade it for a token.
  const reply = await api('/connect', { method: 'POST', body: { code: clean, client: CLIENT }, auth: false, serverUrl });
  if (!reply || typeof reply.token !== 'string' || !/^[\x21-\x7e]{16,400}$/.test(reply.token)) {
    throw new ApiError('server', 'The server did not answer with a token.');
  }
  await ext.storage.local.set({ serverUrl, token: reply.token });
  await cacheClear();
  return { state: 'connected', serverUrl, user: typeof reply.user === 'string' ? reply.user.slice(0, 64) : '' };
}

// A code typed on the options or library page: for the configured server, or the one given.
async function connectWithCode({ code, serverUrl }) {
  const s = await getSettings();
  return exchange(serverUrl ? serverOrigin(serverUrl) : s.serverUrl, code);
}

/* The server's /connect page, opened from the link in the terminal. Its origin comes from the
 * browser (sender.url), not from anything the page says. A code from a link is never exchanged
 * without one click on the options page, for the configured server too: any web page can open
 * /connect#code=… in a tab, and an exchange it could trigger at will would spend this extension's
 * wrong-code allowance at the server or replace a working token with another server's. */
async function connectFromLink({ code }, sender) {
  const origin = serverOrigin(sender.url);
  pendingLink = { origin, code: String(code || '').slice(0, 64), at: Date.now() };
  await openOptions('connect');
  return { state: 'confirm', serverUrl: origin };
}

function pendingConnection() {
  if (!pendingLink || Date.now() - pendingLink.at > PENDING_TTL_MS) return { serverUrl: null };
  return { serverUrl: pendingLink.origin };
}

async function confirmConnection({ accept }) {
  const link = pendingLink;
  pendingLink = null;
  if (!accept || !link || Date.now() - link.at > PENDING_TTL_MS) return { state: 'cancelled' };
  return exchange(link.origin, link.code);
}

async function disconnect() {
  await ext.storage.local.set({ token: '' });
  await cacheClear();
  return publicSettings();
}

async function health() {
  const status = await api('/health', { auth: false });
  let token = 'missing';
  const s = await getSettings();
  if (s.token) {
    try { await api('/library?per_page=1'); token = 'ok'; } catch (e) {
      token = e.code === 'unauthorized' ? 'rejected' : 'unknown';
    }
  }
  return { papers: status.papers, status: status.status, version: status.version, token };
}
