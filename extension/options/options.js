/* Options: the connection (a one-time code, or a token pasted by hand), which sites show the
 * panel, how many results. Settings go through the background worker, which owns them; the token
 * is never read back. The site list is built from the adapters themselves. */
'use strict';

const ext = globalThis.browser || globalThis.chrome;
const { el } = globalThis.PaperlensDom;
const { send } = globalThis.PaperlensMessages;
const $ = (id) => document.getElementById(id);

let settings = null;
let adapters = [];

function say(text) { $('result').textContent = text; }
function sayConnect(text) { $('connectResult').textContent = text; }

function loadScript(src) {
  return new Promise((resolve, reject) => {
    document.head.append(el('script', { src, onload: resolve, onerror: reject }));
  });
}

// Every adapter file the manifest loads (paper sites and listings) declares {site, label,
// matches, priority}; the ones with matches of their own are what a user can switch off.
async function siteAdapters() {
  const files = globalThis.PaperlensExtensionFiles.contentScriptFiles(ext.runtime.getManifest())
    .filter((f) => f === 'content/paper.js' || f.startsWith('content/sites/') || f.startsWith('content/listings/'));
  for (const file of files) await loadScript(`/${file}`);
  return [...(globalThis.PaperlensSites || []), ...(globalThis.PaperlensListings || [])].filter((a) => a.matches.length)
    .sort((a, b) => b.priority - a.priority || a.label.localeCompare(b.label));
}

function showCodeBox(show) {
  $('codeBox').hidden = !show;
  if (settings && settings.hasToken) $('connectAnother').setAttribute('aria-expanded', String(show));
}

function render() {
  $('serverUrl').value = settings.serverUrl;
  $('token').value = '';
  $('tokenState').textContent = settings.hasToken ? 'A token is saved. Leave empty to keep it.' : 'No token saved.';
  // The one line naming the connection; a connect's own result (#connectResult) does not repeat it.
  $('connection').textContent = settings.hasToken
    ? `Connected to ${settings.serverUrl}: related papers and your reading list.`
    : `Reading from ${settings.serverUrl} without a token. Connect to save papers.`;
  $('connection').setAttribute('data-connected', String(!!settings.hasToken));
  // A code is for connecting: once connected it waits behind "Connect another way".
  $('connectAnother').hidden = !settings.hasToken;
  showCodeBox(!settings.hasToken || $('connectAnother').getAttribute('aria-expanded') === 'true');
  $('disconnect').disabled = !settings.hasToken;
  $('k').value = settings.k;
  $('saveOpened').checked = !!settings.saveOpened;
  $('zoteroSave').checked = !!settings.zoteroSave;
  $('zoteroPort').value = settings.zoteroPort;
  const box = $('sites');
  box.replaceChildren(el('legend', { text: 'Sites' }));
  for (const adapter of adapters) {
    const input = el('input', { type: 'checkbox', 'data-site': adapter.site });
    input.checked = settings.sites[adapter.site] !== false;
    input.addEventListener('change', () => {
      update({ sites: { ...settings.sites, [adapter.site]: input.checked } });
    });
    box.append(el('label', { class: 'check' }, input, el('span', { text: adapter.label })));
  }
  $('hosts').replaceChildren(...settings.genericHosts.map((host) => el('li', null,
    el('span', { text: `${host} ` }),
    el('button', { type: 'button', text: 'Remove', onclick: async () => {
      await ext.permissions.remove({ origins: [`*://${host}/*`] }).catch(() => false);
      update({ genericHosts: settings.genericHosts.filter((h) => h !== host) });
    } }))));
}

async function refresh() {
  const reply = await send({ type: 'settings:get' });
  if (!reply.ok) return say(reply.message);
  settings = reply.data;
  return render();
}

async function update(patch) {
  const reply = await send({ type: 'settings:set', settings: patch });
  if (!reply.ok) return say(reply.message);
  settings = reply.data;
  render();
  return true;
}

function originPattern(serverUrl) {
  const u = new URL(serverUrl);
  return `${u.protocol}//${u.hostname}/*`;
}

/* ---------- connecting ---------- */

async function connected(reply) {
  if (!reply.ok) return sayConnect(reply.message);
  if (reply.data.state === 'cancelled') return sayConnect('Not connected.');
  sayConnect(`Connected${reply.data.user ? ` as ${reply.data.user}` : ''}.`);
  $('code').value = '';
  $('connectAnother').setAttribute('aria-expanded', 'false');
  return refresh();
}

$('connectAnother').addEventListener('click', () => {
  const open = $('connectAnother').getAttribute('aria-expanded') !== 'true';
  showCodeBox(open);
  if (open) $('code').focus();
});

$('codeForm').addEventListener('submit', async (e) => {
  e.preventDefault();
  sayConnect('Connecting…');
  connected(await send({ type: 'connect:code', code: $('code').value }));
});

// Every connect link waits here for the user's yes: any web page can open a link, only the user clicks.
async function showPending() {
  const reply = await send({ type: 'connect:pending' });
  const pending = reply.ok && reply.data.serverUrl;
  $('confirm').hidden = !pending;
  if (!pending) return;
  let text = `Connect Paperlens to ${pending}? Only if you just opened the link that \`paperlens serve\` or `
    + '`paperlens connect` printed.';
  if (pending !== settings.serverUrl) text += ` It is set up for ${settings.serverUrl} now.`;
  else if (settings.hasToken) text += ' It is connected there now; connecting again replaces its token.';
  $('confirmText').textContent = text;
  $('confirmYes').focus();
}

$('confirmYes').addEventListener('click', async () => {
  $('confirm').hidden = true;
  connected(await send({ type: 'connect:confirm', accept: true }));
});
$('confirmNo').addEventListener('click', async () => {
  $('confirm').hidden = true;
  connected(await send({ type: 'connect:confirm', accept: false }));
});
$('disconnect').addEventListener('click', async () => {
  const reply = await send({ type: 'disconnect' });
  if (!reply.ok) return say(reply.message);
  settings = reply.data;
  render();
  return say('The token is forgotten; reading still works.');
});

/* ---------- the server by hand ---------- */

$('form').addEventListener('submit', async (e) => {
  e.preventDefault();
  let serverUrl;
  try {
    const u = new URL($('serverUrl').value.trim());
    if (!/^https?:$/.test(u.protocol)) throw new Error('scheme');
    serverUrl = u.href.replace(/\/+$/, '');
  } catch (_) {
    return say('The server URL must start with http:// or https://');
  }
  // A server other than this machine needs its host permission, asked during this click.
  const granted = await ext.permissions.request({ origins: [originPattern(serverUrl)] }).catch(() => false);
  if (!granted) return say('Paperlens needs permission to reach that server.');
  const patch = { serverUrl, k: parseInt($('k').value, 10) || 10, saveOpened: $('saveOpened').checked };
  const token = $('token').value.trim();
  if (token) patch.token = token;
  if (await update(patch)) say('Saved.');
  return undefined;
});

$('test').addEventListener('click', async () => {
  say('Testing…');
  const reply = await send({ type: 'health' });
  if (!reply.ok) return say(reply.message);
  const tokenLine = { ok: 'token accepted', rejected: 'token rejected', missing: 'no token saved',
    unknown: 'token not checked' }[reply.data.token];
  return say(`Connected: ${reply.data.papers} papers in the corpus (${reply.data.status}); ${tokenLine}.`);
});

$('addHost').addEventListener('click', async () => {
  const host = $('newHost').value.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(host)) return say('Enter a host name such as journals.example.org');
  const granted = await ext.permissions.request({ origins: [`*://${host}/*`] }).catch(() => false);
  if (!granted) return say(`Permission for ${host} was not granted.`);
  $('newHost').value = '';
  return update({ genericHosts: [...new Set([...settings.genericHosts, host])] });
});

$('library').addEventListener('click', () => send({ type: 'open-library' }));

/* ---------- Zotero ---------- */

$('zoteroSave').addEventListener('change', () => update({ zoteroSave: $('zoteroSave').checked }));
$('zoteroPort').addEventListener('change', () => {
  const port = Number($('zoteroPort').value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    $('zoteroResult').textContent = "Zotero's port is a number from 1 to 65535 (Zotero's own is 23119).";
    return;
  }
  update({ zoteroPort: port });
});
$('zoteroTest').addEventListener('click', async () => {
  $('zoteroResult').textContent = 'Asking Zotero…';
  const reply = await send({ type: 'zotero:ping' });
  $('zoteroResult').textContent = reply.ok && reply.data === 'running'
    ? 'Zotero is running: saves will reach it.'
    : `Zotero did not answer on port ${settings.zoteroPort}: start the Zotero app (and check the port).`;
});

(async () => {
  adapters = await siteAdapters().catch(() => []);
  await refresh();
  if (settings) await showPending();
  if (location.hash === '#connect' && !$('codeBox').hidden) $('code').focus();
})();
