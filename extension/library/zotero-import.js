/* "Import from Zotero" on the library page: the server reads the Zotero library (the desktop
 * app's local API on the server's computer, or zotero.org with a user id and key) and saves its
 * items to this list (POST /library/import/zotero through the worker). The key is sent once and
 * kept nowhere: not in storage, not in the page after the import. Test contract:
 * #zoteroImport[data-state=idle|loading|done|error], #zoteroResult (the count line). */
(function () {
  'use strict';
  const { send } = globalThis.PaperlensMessages;
  const $ = (id) => document.getElementById(id);
  const box = $('zoteroImport');
  box.setAttribute('data-state', 'idle');

  const source = () => document.querySelector('input[name="zoteroSource"]:checked').value;
  for (const radio of document.querySelectorAll('input[name="zoteroSource"]')) {
    radio.addEventListener('change', () => {
      const web = source() === 'web';
      $('zoteroUser').disabled = !web;
      $('zoteroKey').disabled = !web;
    });
  }

  $('zoteroForm').addEventListener('submit', async (e) => {
    e.preventDefault();
    const web = source() === 'web';
    if (web && (!/^\d{1,12}$/.test($('zoteroUser').value.trim()) || !$('zoteroKey').value.trim())) {
      $('zoteroResult').textContent = 'zotero.org needs your user id (a number) and an API key with read access.';
      box.setAttribute('data-state', 'error');
      return;
    }
    box.setAttribute('data-state', 'loading');
    $('zoteroGo').disabled = true;
    $('zoteroResult').textContent = 'Reading your Zotero library…';
    const reply = await send({ type: 'zotero:import', source: web ? 'web' : 'local',
      userId: $('zoteroUser').value, apiKey: $('zoteroKey').value });
    $('zoteroKey').value = '';
    $('zoteroGo').disabled = false;
    if (!reply.ok) {
      $('zoteroResult').textContent = reply.message || 'The import failed.';
      box.setAttribute('data-state', 'error');
      return;
    }
    const d = reply.data;
    $('zoteroResult').textContent = `${d.summary} (${d.matched} found in your corpus, ${d.added} added to it)`;
    box.setAttribute('data-state', 'done');
    document.dispatchEvent(new Event('paperlens:list-changed'));
  });
})();
