/* The popup on a PDF tab: the PDF's paper (resolved by the server from the ids and page URLs its
 * URL carries), Save, and its top related papers, with a way to the side panel for the rest. On
 * other tabs the section stays hidden: the page's own panel is there. `?tabId=N` picks the tab
 * (tests); otherwise the active tab of this window. */
(function (root) {
  'use strict';
  const ext = root.browser || root.chrome;
  const { el, clip, linkOrText } = root.PaperlensDom;
  const { send } = root.PaperlensMessages;
  const $ = (id) => document.getElementById(id);
  const TOP = 3;
  const ZOTERO = {
    saved: 'Saved, and to Zotero.',
    'not-reached': 'Saved to Paperlens. Zotero was not reached: is the Zotero app running?',
    refused: 'Saved to Paperlens. Zotero did not take the item.',
  };

  function setState(state, paperId) {
    $('here').setAttribute('data-state', state);
    if (paperId) $('here').setAttribute('data-paper-id', paperId);
  }

  async function whichTab() {
    const asked = new URLSearchParams(location.search).get('tabId');
    if (asked !== null && /^\d{1,10}$/.test(asked)) return Number(asked);
    const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
    return tab ? tab.id : null;
  }

  // Called in the click itself, with the window known beforehand: both browsers open a panel only
  // from a user's gesture, which an awaited call in between could lose.
  function openPanel(windowId) {
    if (ext.sidePanel && ext.sidePanel.open) return ext.sidePanel.open({ windowId });
    if (ext.sidebarAction && ext.sidebarAction.open) return ext.sidebarAction.open();
    return undefined;
  }

  function saveButton(id, saved, paper) {
    const button = el('button', { type: 'button', 'data-action': 'save', 'data-paper-id': id,
      'aria-pressed': String(!!saved), text: saved ? 'Saved' : 'Save' });
    button.addEventListener('click', async () => {
      const want = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-busy', 'true');
      const reply = await send({ type: 'save', id, saved: want, paper });
      button.removeAttribute('aria-busy');
      if (!reply.ok) {
        $('hereNotice').textContent = clip(reply.message || '', 300);
        return;
      }
      button.setAttribute('aria-pressed', String(want));
      button.textContent = want ? 'Saved' : 'Save';
      const zotero = reply.data && reply.data.zotero;
      $('hereNotice').textContent = zotero ? ZOTERO[zotero] || '' : '';
      if (zotero) $('here').setAttribute('data-zotero', zotero);
    });
    return button;
  }

  async function showHere() {
    const tabId = await whichTab();
    if (tabId === null) return;
    const tab = await ext.tabs.get(tabId).catch(() => null);
    const adapters = await root.PaperlensAdapters.loadAdapters();
    // Only PDFs: on a paper's page the overlay on the page does this already.
    if (!tab || !tab.url || !root.PaperlensPdfUrls.pdfPaper(tab.url, adapters)) return;
    $('here').hidden = false;
    setState('loading');
    $('hereTitle').textContent = 'Finding this PDF in your corpus…';
    const found = await root.PaperlensTabPaper.tabPaper(tabId, adapters);
    if (found.state !== 'paper') {
      $('hereTitle').textContent = found.reason || found.message || '';
      setState(found.state);
      return;
    }
    const { paper } = found;
    const reply = await send({ type: 'related', paper });
    const query = (reply.ok && reply.data.query) || {};
    const ownId = query.id || paper.id;
    $('hereTitle').replaceChildren(linkOrText(clip(paper.title, 300), query.url || paper.url, 'title'));
    const year = paper.year || String(paper.date || '').slice(0, 4);
    $('hereByline').textContent = [(paper.authors || []).slice(0, 3).join(', ')
      + ((paper.authors || []).length > 3 ? ' et al.' : ''), year].filter(Boolean).join(' · ');
    $('hereActions').replaceChildren(saveButton(ownId, query.saved, paper),
      el('button', { type: 'button', 'data-action': 'open-panel', text: 'Related papers in the side panel',
        onclick: () => { Promise.resolve(openPanel(tab.windowId)).catch(() => {}); } }));
    if (!reply.ok) {
      $('hereNotice').textContent = clip(reply.message || '', 300);
      setState('error', ownId);
      return;
    }
    $('hereRelated').replaceChildren(...reply.data.results.slice(0, TOP).map((r) => el('li',
      { 'data-result-id': r.id }, linkOrText(clip(r.title || r.id, 200), r.url, 'title'),
      el('span', { class: 'meta', text: r.year ? ` · ${r.year}` : '' }))));
    setState('ready', ownId);
  }

  showHere().catch(() => setState('error'));
})(globalThis);
