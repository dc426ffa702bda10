/* The one way extension code talks to the background worker (which alone holds the server URL
 * and the token): send(message) always resolves to {ok: true, data} or {ok: false, error, message}
 * and never throws, so no caller (least of all a content script on someone's page) can crash on it. */
(function (root) {
  'use strict';
  const ext = root.browser || root.chrome;

  // The worker is gone only when the extension was reloaded or updated under an open page.
  const GONE = { ok: false, error: 'extension', message: 'Paperlens was reloaded or updated: reload this page.' };

  async function send(message) {
    try {
      return (await ext.runtime.sendMessage(message)) || GONE;
    } catch (_) {
      return GONE;
    }
  }

  root.PaperlensMessages = { send };
})(globalThis);
