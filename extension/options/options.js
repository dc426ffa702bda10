/* Options: where the server is, the token, which sites show the panel, how many results.
 * Settings go through the background worker, which owns them; the token is never read back. */
'use strict';

const ext = globalThis.browser || globalThis.chrome;
const { el } = globalThis.PaperlensDom;
const $ = (id) => document.getElementById(id);

const SITES = [
  ['arxiv', 'arXiv'], ['huggingface', 'Hugging Face papers'], ['openreview', 'OpenReview'],
  ['acl', 'ACL Anthology'], ['semanticscholar', 'Semantic Scholar'], ['biorxiv', 'bioRxiv / medRxiv'],
];

let settings = null;

async function send(message) {
  try {
    return (await ext.runtime.sendMessage(message)) || { ok: false, message: 'No answer from Paperlens.' };
  } catch (_) {
    return { ok: false, message: 'No answer from Paperlens.' };
  }
}

function say(text) { $('result').textContent = text; }

function render() {
  $('serverUrl').value = settings.serverUrl;
  $('token').value = '';
  $('tokenState').textContent = settings.hasToken ? 'A token is saved. Leave empty to keep it.' : 'No token saved.';
  $('k').value = settings.k;
  $('saveOpened').checked = !!settings.saveOpened;
  const box = $('sites');
  box.replaceChildren(el('legend', { text: 'Sites' }));
  for (const [key, label] of SITES) {
    const input = el('input', { type: 'checkbox', 'data-site': key });
    input.checked = settings.sites[key] !== false;
    input.addEventListener('change', () => {
      update({ sites: { ...settings.sites, [key]: input.checked } });
    });
    box.append(el('label', { class: 'check' }, input, el('span', { text: label })));
  }
  $('hosts').replaceChildren(...settings.genericHosts.map((host) => el('li', null,
    el('span', { text: `${host} ` }),
    el('button', { type: 'button', text: 'Remove', onclick: async () => {
      await ext.permissions.remove({ origins: [`*://${host}/*`] }).catch(() => false);
      update({ genericHosts: settings.genericHosts.filter((h) => h !== host) });
    } }))));
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

send({ type: 'settings:get' }).then((reply) => {
  if (!reply.ok) return say(reply.message);
  settings = reply.data;
  return render();
});
