/* Where papers are read (issue 23), as a person uses it, in Chromium and in Firefox ESR: the side
 * panel on a PDF served at arXiv's and OpenReview's PDF URLs (ready with the paper's id and its
 * related papers), Save from the panel reaching the server, the panel following the active tab,
 * the popup on a PDF tab, and saving through to Zotero with a fake of the Zotero app's connector
 * (tests/fakes/zotero.py), running and not. Run by run.js in the same browser session as the other
 * scenarios (scenarios.js), so they cost no browser launch of their own. */
'use strict';
const assert = require('node:assert/strict');
const { waitUntil, TIMEOUT } = require('./harness.js');

const ARXIV_PDF = 'http://arxiv.org/pdf/1706.03762v7';
// Chromium preloads HSTS for openreview.net: it is served over TLS there (a throwaway certificate);
// Firefox runs with its preload list off and reaches it over HTTP through the page-server proxy.
const openreviewPdf = (h) => `${h.name === 'chromium' ? 'https' : 'http'}://openreview.net/pdf?id=PxTIG12RRHS`;
const SCREENSHOTS = '/tmp';

function settings(cfg, extra) {
  return { serverUrl: cfg.serverUrl, token: '', k: 10, saveOpened: false, sites: {}, genericHosts: [],
    collapsed: false, relatedSort: 'score', relatedSince: '', inspectableOverlay: true, zoteroSave: false,
    zoteroPort: 23119, ...extra };
}

async function libraryEntry(cfg, token, id) {
  const res = await fetch(`${cfg.serverUrl}/api/v1/library?per_page=200`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()).items.find((it) => it.paper.id === id) || null;
}

/* The id the browser gives the tab showing `url` (asked from an extension page). */
async function tabIdOf(h, url) {
  return waitUntil(() => h.control.evaluate((u) => {
    const ext = globalThis.browser || globalThis.chrome;
    return ext.tabs.query({}).then((tabs) => (tabs.find((t) => t.url === u) || {}).id);
  }, url), `a tab at ${url}`);
}

async function activate(h, tabId) {
  await h.control.evaluate((id) => {
    const ext = globalThis.browser || globalThis.chrome;
    return ext.tabs.update(id, { active: true }).then(() => true);
  }, tabId);
}

/* The panel once it shows `id`, ready: its state, id and related results. */
async function panelShows(page, id) {
  try {
    await page.waitForFunction((i) => {
      const root = document.querySelector('[data-paperlens-panel]');
      return root && root.getAttribute('data-state') === 'ready' && root.getAttribute('data-paper-id') === i;
    // Polled on a timer, not on animation frames: a panel in a background tab draws no frames.
    }, { timeout: TIMEOUT, polling: 200 }, id);
  } catch (err) {
    // Say what the panel shows instead: its state, id and status line.
    const seen = await page.evaluate(() => {
      const root = document.querySelector('[data-paperlens-panel]');
      return root && `${root.getAttribute('data-state')} ${root.getAttribute('data-paper-id')} `
        + `${root.getAttribute('data-error') || ''}: ${document.getElementById('status').textContent}`;
    }).catch(() => 'no panel');
    throw new Error(`the panel did not show ${id} ready: it shows ${seen}`);
  }
  return page.$$eval('[data-paperlens-panel] [data-result-id]', (els) => els.map((e) => e.getAttribute('data-result-id')));
}

async function savedFromPanel(page) {
  const button = await page.waitForSelector('#paper [data-action="save"]', { timeout: TIMEOUT });
  await button.click();
  try {
    await page.waitForFunction(() => {
      const b = document.querySelector('#paper [data-action="save"]');
      return b && b.getAttribute('aria-pressed') === 'true' && b.getAttribute('aria-busy') !== 'true';
    }, { timeout: TIMEOUT, polling: 200 });
  } catch (err) {
    const seen = await page.evaluate(() => {
      const b = document.querySelector('#paper [data-action="save"]');
      return `pressed=${b && b.getAttribute('aria-pressed')} busy=${b && b.getAttribute('aria-busy')} `
        + `notice: ${document.getElementById('notice').textContent}`;
    }).catch(() => 'no panel');
    throw new Error(`Save in the panel did not finish: ${seen}`);
  }
}

/* The panel's word on where the last save went (data-zotero), or what it shows instead. */
async function zoteroSays(panel, value) {
  try {
    await panel.waitForSelector(`[data-paperlens-panel][data-zotero="${value}"]`, { timeout: TIMEOUT });
  } catch (err) {
    const seen = await panel.evaluate(() => {
      const root = document.getElementById('panel');
      return `state=${root.getAttribute('data-state')} zotero=${root.getAttribute('data-zotero')} `
        + `notice: ${document.getElementById('notice').textContent}`;
    }).catch(() => 'no panel');
    throw new Error(`the panel did not say data-zotero="${value}": ${seen}`);
  }
}

const PDF_SCENARIOS = {
  async 'PDFs: the side panel on arXiv and OpenReview PDFs, Save, following the active tab, the popup'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.pdfToken }));
    const arxiv = await h.open(ARXIV_PDF);
    const openreview = await h.open(openreviewPdf(h));
    const arxivTab = await tabIdOf(h, ARXIV_PDF);
    const openreviewTab = await tabIdOf(h, openreviewPdf(h));

    // ?tabId=N: the paper of tab N, by the id in its PDF URL (a versioned arXiv id).
    const panel = await h.extensionPage(`sidepanel/panel.html?tabId=${arxivTab}`);
    const related = await panelShows(panel, 'arxiv:1706.03762');
    assert.ok(related.length >= 1 && related.length <= 10, `${related.length} related papers`);
    assert.equal(await panel.$eval('#paper .own-title', (e) => e.textContent), 'Attention Is All You Need');
    assert.match(await panel.$eval('#paper .byline', (e) => e.textContent), /Ashish Vaswani.*2017/);
    assert.ok(await panel.$('[data-result-id] .terms .term'), 'matched words on the results');
    await panel.setViewport({ width: 400, height: 900 });
    await panel.screenshot({ path: `${SCREENSHOTS}/paperlens-panel-${h.name}-arxiv-pdf.png` });

    // Save from the panel reaches the server.
    assert.equal(await panel.$eval('#paper [data-action="save"]', (b) => b.getAttribute('aria-pressed')), 'false');
    await savedFromPanel(panel);
    assert.ok(await libraryEntry(cfg, cfg.pdfToken, 'arxiv:1706.03762'), 'saved on the server');

    // An OpenReview PDF: no id the server keeps, found by the forum page it was stored with.
    const second = await h.extensionPage(`sidepanel/panel.html?tabId=${openreviewTab}`);
    const relatedToSecond = await panelShows(second, cfg.openreviewPaperId);
    assert.ok(relatedToSecond.length >= 1, 'related papers for the OpenReview PDF');
    await second.setViewport({ width: 400, height: 900 });
    await second.screenshot({ path: `${SCREENSHOTS}/paperlens-panel-${h.name}-openreview-pdf.png` });

    // Following: a panel without ?tabId shows the active tab, and switches when another is chosen.
    const follower = await h.extensionPage('sidepanel/panel.html');
    await activate(h, arxivTab);
    await panelShows(follower, 'arxiv:1706.03762');
    await activate(h, openreviewTab);
    await panelShows(follower, cfg.openreviewPaperId);
    await activate(h, arxivTab);
    await panelShows(follower, 'arxiv:1706.03762');
    // The saved state is the server's: the paper saved a moment ago shows as saved.
    assert.equal(await follower.$eval('#paper [data-action="save"]', (b) => b.getAttribute('aria-pressed')), 'true');

    // A paper's page (its content script's adapter says which paper), and a page that is no paper.
    await h.open('http://arxiv.org/abs/2006.11239v2');
    const pageTab = await tabIdOf(h, 'http://arxiv.org/abs/2006.11239v2');
    const onPage = await h.extensionPage(`sidepanel/panel.html?tabId=${pageTab}`);
    assert.ok((await panelShows(onPage, 'arxiv:2006.11239')).length >= 1, 'related papers for the page');
    await h.open(`${cfg.serverUrl}/api/v1/health`);
    const otherTab = await tabIdOf(h, `${cfg.serverUrl}/api/v1/health`);
    const other = await h.extensionPage(`sidepanel/panel.html?tabId=${otherTab}`);
    await other.waitForSelector('[data-paperlens-panel][data-state="unknown"]', { timeout: TIMEOUT });
    assert.match(await other.$eval('#status', (e) => e.textContent), /not one Paperlens reads\. It reads paper pages on .*arXiv.*, and PDFs from .*OpenReview/);

    // The toolbar popup on the PDF tab: the paper, Save (pressed: it is saved) and its top related.
    const popup = await h.extensionPage(`popup/popup.html?tabId=${arxivTab}`);
    await popup.waitForSelector('#here[data-state="ready"][data-paper-id="arxiv:1706.03762"]', { timeout: TIMEOUT });
    const top = await popup.$$eval('#here [data-result-id]', (els) => els.length);
    assert.ok(top >= 1 && top <= 3, `${top} related in the popup`);
    assert.equal(await popup.$eval('#here [data-action="save"]', (b) => b.getAttribute('aria-pressed')), 'true');

    // The followed tab goes to another paper: the panel follows its URL.
    await activate(h, arxivTab);
    await panelShows(follower, 'arxiv:1706.03762');
    await arxiv.goto('http://arxiv.org/abs/2006.11239v2', { waitUntil: 'domcontentloaded' });
    await panelShows(follower, 'arxiv:2006.11239');
    await arxiv.close().catch(() => {});
    await openreview.close().catch(() => {});
    return { related: related.length, popupRelated: top };
  },

  async 'PDFs: saving through to Zotero, with Zotero running and not'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.zoteroToken, zoteroSave: true, zoteroPort: cfg.zoteroPort }));
    // The panel on a paper's page says where its Save went too (first: the tab in front is clicked).
    const page = await h.openPaper('http://arxiv.org/abs/2006.11239v2');
    await (await h.inPanel(page, '.own [data-action="save"]')).click();
    await page.waitForFunction(() => /Saved, and to Zotero/.test(
      document.getElementById('paperlens-root').shadowRoot.querySelector('.notice').textContent), { timeout: TIMEOUT, polling: 200 });
    const again = await (await fetch(`http://127.0.0.1:${cfg.zoteroPort}/fake/saved`)).json();
    assert.ok(again.some((it) => it.title === 'Denoising Diffusion Probabilistic Models' && it.archiveID === 'arXiv:2006.11239'),
      'the page\'s paper reached Zotero');
    await h.open(ARXIV_PDF);
    const tab = await tabIdOf(h, ARXIV_PDF);
    const panel = await h.extensionPage(`sidepanel/panel.html?tabId=${tab}`);
    await panelShows(panel, 'arxiv:1706.03762');
    await savedFromPanel(panel);
    await zoteroSays(panel, 'saved');
    assert.ok(await libraryEntry(cfg, cfg.zoteroToken, 'arxiv:1706.03762'), 'saved to Paperlens');
    const received = await (await fetch(`http://127.0.0.1:${cfg.zoteroPort}/fake/saved`)).json();
    const item = received.find((it) => it.title === 'Attention Is All You Need' && it._sessionID.startsWith('paperlens-'));
    assert.ok(item, 'the fake Zotero took the item');
    assert.equal(item.itemType, 'preprint');
    assert.equal(item.archiveID, 'arXiv:1706.03762');
    assert.deepEqual(item.creators[0], { firstName: 'Ashish', lastName: 'Vaswani', creatorType: 'author' });
    assert.equal(item.date, '2017-06-12');
    assert.equal(item.url, 'https://arxiv.org/abs/1706.03762');
    assert.ok(item.abstractNote.startsWith('The dominant sequence transduction'));


    // Zotero not running: the Paperlens save still succeeds and the panel says Zotero was not reached.
    await (await panel.$('#paper [data-action="save"]')).click(); // unsave
    await panel.waitForFunction(() => document.querySelector('#paper [data-action="save"]').getAttribute('aria-pressed') === 'false',
      { timeout: TIMEOUT, polling: 200 });
    assert.equal(await libraryEntry(cfg, cfg.zoteroToken, 'arxiv:1706.03762'), null, 'unsaved');
    // Only the port changes (a token written again redraws the panel in Firefox, which reports
    // even an unchanged value as a change).
    await h.configure({ zoteroPort: cfg.zoteroDownPort });
    await savedFromPanel(panel);
    await zoteroSays(panel, 'not-reached');
    assert.match(await panel.$eval('#notice', (e) => e.textContent), /Zotero was not reached/);
    assert.ok(await libraryEntry(cfg, cfg.zoteroToken, 'arxiv:1706.03762'), 'saved to Paperlens all the same');
    return { zoteroItems: received.length };
  },
};

module.exports = { PDF_SCENARIOS };
