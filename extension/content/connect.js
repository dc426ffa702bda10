/* On the connect page of a Paperlens server (the link `paperlens serve` prints:
 * http://127.0.0.1:8420/connect#code=…), hand the one-time code to the background worker, which
 * trades it for a token once the user confirms with one click on the options page it opens. The
 * code leaves the address bar at once. The page runs no scripts of
 * its own (its CSP forbids them); this script only writes the outcome into its status line. */
(function (root) {
  'use strict';
  if (!document.querySelector('meta[name="paperlens-connect"]')) return;
  const status = document.getElementById('status');

  function say(state, text) {
    document.documentElement.setAttribute('data-paperlens', state);
    if (status) status.textContent = text;
  }

  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  if (!code) {
    say('no-code', 'This link has no connect code: run `paperlens connect` for a new one.');
    return;
  }
  history.replaceState(null, '', location.pathname + location.search);
  say('connecting', 'Connecting Paperlens to this server…');
  root.PaperlensMessages.send({ type: 'connect:link', code: code.slice(0, 64) }).then((reply) => {
    if (!reply.ok) return say('error', reply.message || 'Paperlens could not connect.');
    if (reply.data.state === 'confirm') {
      return say('confirm', 'Confirm the connection in the Paperlens tab that opened.');
    }
    return say('connected', 'Paperlens is connected to this server. You can close this tab.');
  });
})(globalThis);
