/* The core of the extension, as a person uses it, run the same way in Chromium and in Firefox:
 * related papers with no setup, one-click connect, saving, the popup and the library page, edits
 * that survive a reload, a page that tries to get the token, a 5,000-paper library, listing pages,
 * related work for a draft. */
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { waitUntil, TIMEOUT } = require('./harness.js');
const { adapters } = require('../site-lists.js');

const ARXIV = 'http://arxiv.org/abs/1706.03762';
const HF_DAY = 'http://huggingface.co/papers/date/2026-06-12';

// Defaults for each scenario; each then changes what it needs.
function settings(cfg, extra) {
  return { serverUrl: cfg.serverUrl, token: '', k: 10, saveOpened: false, sites: {}, genericHosts: [],
    collapsed: false, relatedSort: 'score', relatedSince: '', inspectableOverlay: true, ...extra };
}

async function api(cfg, path, { token, method = 'GET', body, headers = {} } = {}) {
  const res = await fetch(cfg.serverUrl + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function libraryEntry(cfg, token, id) {
  const { body } = await api(cfg, '/api/v1/library?per_page=200', { token });
  return body.items.find((it) => it.paper.id === id) || null;
}

async function waitState(page, value) {
  await page.waitForFunction((v) => document.documentElement.getAttribute('data-state') === v, { timeout: 60000 }, value);
}

/* A listing page once its first ranking has answered: the cards' contract attributes in page order. */
async function openListing(h, url) {
  const page = await h.open(url);
  await page.waitForFunction(() => {
    const host = document.getElementById('paperlens-root');
    return host && host.getAttribute('data-mode') === 'listing' && host.getAttribute('data-state') === 'ready';
  }, { timeout: TIMEOUT });
  return page;
}

const listingCards = (page) => page.$$eval('[data-paperlens-card]', (hosts) => hosts.map((h) => ({
  id: h.getAttribute('data-paper-id'), saved: h.getAttribute('data-saved'), score: h.getAttribute('data-score') })));

// Ranking answers the listing has drawn (one more after each re-rank).
const listingAnswers = (page) => page.evaluate(() => Number(document.getElementById('paperlens-root').getAttribute('data-answers')));

// A control inside one card's (inspectable) shadow root, for a real click.
async function inCard(page, id, selector) {
  const handle = await page.waitForFunction((i, sel) => {
    const host = document.querySelector(`[data-paperlens-card][data-paper-id="${i}"]`);
    return host && host.shadowRoot && host.shadowRoot.querySelector(sel);
  }, { timeout: TIMEOUT }, id, selector);
  return handle.asElement();
}

const PAGE_ATTACK = async (server, code, token) => {
  const found = [];
  for (const mode of ['cors', 'no-cors']) {
    try {
      const r = await fetch(`${server}/api/v1/connect`, { method: 'POST', mode,
        headers: { 'Content-Type': mode === 'cors' ? 'application/json' : 'text/plain' },
        body: JSON.stringify({ code, client: 'firefox' }) });
      if (mode === 'cors') found.push(`cors answer ${r.status} ${await r.text()}`);
    } catch (e) { /* refused */ }
  }
  const text = [document.documentElement.outerHTML];
  for (const el of document.querySelectorAll('*')) if (el.shadowRoot) text.push(el.shadowRoot.innerHTML);
  if (text.join('').includes(token)) found.push('token in the DOM');
  if (document.getElementById('paperlens-root').shadowRoot) found.push('open shadow root');
  const heard = [];
  addEventListener('message', (e) => heard.push(JSON.stringify(e.data)));
  for (const type of ['settings:get', 'health', 'library:all', 'export', 'connect:code']) {
    postMessage({ type, format: 'json' }, '*');
    const runtime = (globalThis.chrome && globalThis.chrome.runtime) || (globalThis.browser && globalThis.browser.runtime);
    if (runtime && runtime.sendMessage) {
      try { await runtime.sendMessage({ type }); found.push(`runtime answered ${type}`); } catch (e) { /* none */ }
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  if (heard.some((m) => m.includes(token) || m.includes('serverUrl'))) found.push('a message answered');
  return found;
};

const SCENARIOS = {
  async 'no token: related papers on loopback, and Save offers to connect'(h, cfg) {
    await h.configure(settings(cfg));
    const page = await h.openPaper(ARXIV);
    const rows = await page.evaluate(() => document.getElementById('paperlens-root').shadowRoot
      .querySelectorAll('li[data-paper-id]').length);
    assert.ok(rows >= 1 && rows <= 10, `${rows} related papers`);
    await (await h.inPanel(page, 'li[data-paper-id] [data-action="save"]')).click();
    await h.inPanel(page, '.notice [data-action="connect"]');
    assert.equal(await h.panelAttr(page, 'li[data-paper-id] [data-action="save"]', 'aria-pressed'), 'false');
    return { related: rows };
  },

  async 'connect from the server link with one click'(h, cfg) {
    await h.configure(settings(cfg));
    const optionsUrl = h.url('options/options.html#connect');
    const confirmLink = async (url) => {
      const before = new Set(await h.browser.pages());
      const page = await h.open(url);
      await page.waitForFunction(() => document.documentElement.getAttribute('data-paperlens') === 'confirm',
        { timeout: TIMEOUT });
      // Nothing is exchanged until the user clicks in the options page the extension opened.
      assert.equal(await h.stored('token'), '');
      const options = await h.findPage((href) => href === optionsUrl, 'the options page asking to confirm', before);
      await options.waitForSelector('#confirm:not([hidden]) #confirmYes', { visible: true, timeout: TIMEOUT });
      await options.click('#confirmYes');
      return { page, options };
    };
    const { page, options } = await confirmLink(`${cfg.serverUrl}/connect#code=${cfg.connectCode}`);
    await options.waitForFunction(() => document.getElementById('connectResult').textContent.startsWith('Connected'),
      { timeout: TIMEOUT });
    // Connected, the options name the connection once and keep the code field out of the way.
    await options.waitForSelector('#connection[data-connected="true"]', { timeout: TIMEOUT });
    const shown = await options.evaluate(() => ({
      connectedTo: document.body.innerText.split('Connected to').length - 1,
      codeShown: !!document.getElementById('code').offsetParent,
    }));
    assert.deepEqual(shown, { connectedTo: 1, codeShown: false });
    // Every site a user can switch off is listed; Firefox names the adapter files by full
    // moz-extension:// URLs, which once left this list empty there.
    const expected = adapters().map((a) => a.adapter).filter((a) => a.matches.length).map((a) => a.label).sort();
    await options.waitForSelector('#sites input[data-site]', { timeout: TIMEOUT });
    const listed = await options.$$eval('#sites label', (els) => els.map((e) => e.textContent.trim()));
    assert.deepEqual(listed.sort(), expected);
    assert.ok(!(await page.evaluate(() => location.href)).includes('code='), 'the code left the address bar');
    const token = await h.stored('token');
    assert.match(token, /^pl_/);
    assert.equal((await api(cfg, '/api/v1/library?per_page=1', { token })).status, 200);
    await h.configure({ token: '' });
    const used = await confirmLink(`${cfg.serverUrl}/connect#code=${cfg.connectCode}`);
    await used.options.waitForFunction(() => /not valid/.test(document.getElementById('connectResult').textContent),
      { timeout: TIMEOUT });
    return {};
  },

  async 'save from the panel; the paper is in the popup and the library page'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.readerToken }));
    const page = await h.openPaper(ARXIV);
    const id = await h.panelAttr(page, 'li[data-paper-id]', 'data-paper-id');
    await (await h.inPanel(page, `li[data-paper-id="${id}"] [data-action="save"]`)).click();
    await waitUntil(async () => (await h.panelAttr(page, `li[data-paper-id="${id}"] [data-action="save"]`,
      'aria-pressed')) === 'true', 'the row to show Saved');
    assert.ok(await libraryEntry(cfg, cfg.readerToken, id), 'saved on the server');
    const popup = await h.extensionPage('popup/popup.html');
    await popup.waitForSelector(`#items li[data-paper-id="${id}"]`, { timeout: TIMEOUT });
    const library = await h.extensionPage('library/library.html');
    await waitState(library, 'ready');
    await library.waitForSelector(`#list [data-paper-id="${id}"]`, { timeout: TIMEOUT });
    return {};
  },

  async 'library edits survive a reload'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.readerToken }));
    const page = await h.extensionPage('library/library.html');
    await waitState(page, 'ready');
    const row = await page.waitForSelector('#list [role="option"]', { timeout: TIMEOUT });
    const id = await row.evaluate((el) => el.getAttribute('data-paper-id'));
    await row.click();
    await page.waitForFunction((i) => document.getElementById('detail').getAttribute('data-paper-id') === i, {}, id);
    await page.type('#tagInput', `${h.name}-tag`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#chips .chip[data-tag="${h.name}-tag"]`, { timeout: TIMEOUT });
    await page.click('#note');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.press('Backspace');
    await page.type('#note', `typed in ${h.name}`);
    await page.keyboard.press('Enter');
    await page.type('#note', 'second line');
    // Reload at once (the note may still be queued in the worker). location.reload(), since
    // WebDriver BiDi may not reload an extension page itself.
    await page.evaluate(() => { window.beforeReload = true; location.reload(); });
    await page.waitForFunction(() => !window.beforeReload && document.documentElement.getAttribute('data-state') === 'ready',
      { timeout: 60000 });
    await (await page.waitForSelector(`#list [data-paper-id="${id}"]`)).click();
    await page.waitForFunction((i) => document.getElementById('detail').getAttribute('data-paper-id') === i, {}, id);
    const note = await page.$eval('#note', (el) => el.value);
    assert.equal(note, `typed in ${h.name}\nsecond line`);
    assert.ok(await page.$(`#chips .chip[data-tag="${h.name}-tag"]`), 'the tag is still there');
    const entry = await libraryEntry(cfg, cfg.readerToken, id);
    assert.equal(entry.note, `typed in ${h.name}\nsecond line`);
    assert.ok(entry.tags.includes(`${h.name}-tag`));
    return {};
  },

  async 'library: tag autocomplete, the keyboard, exports of all, one tag and a selection'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.keysToken }));
    const page = await h.extensionPage('library/library.html');
    await waitState(page, 'ready');
    // Tags the list holds are offered as you type one.
    const offered = await page.$$eval('#tagOptions option', (els) => els.map((e) => e.value));
    assert.deepEqual(offered, ['diffusion', 'language', 'to-read']);

    // Exports are files made in the page: catch each Blob as the page hands it to the download link.
    await page.evaluate(() => {
      window.exported = [];
      const make = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (blob) => { blob.text().then((t) => window.exported.push({ type: blob.type, text: t })); return make(blob); };
    });
    const exportOne = async (click) => {
      const before = await page.evaluate(() => window.exported.length);
      await click();
      await page.waitForFunction((n) => window.exported.length > n, { timeout: TIMEOUT }, before);
      return page.evaluate(() => window.exported[window.exported.length - 1]);
    };
    const bib = await exportOne(() => page.click('[data-export="bibtex"]'));
    assert.equal(bib.type, 'application/x-bibtex');
    assert.equal((bib.text.match(/^@/gm) || []).length, 6, 'all six papers in BibTeX');
    const csv = await exportOne(() => page.click('[data-export="csv"]'));
    assert.equal(csv.text.trim().split(/\r?\n/).length, 7, 'a header and six rows');
    await page.select('#tag', 'diffusion');
    await page.select('#exportScope', 'tag');
    const tagged = JSON.parse((await exportOne(() => page.click('[data-export="json"]'))).text);
    assert.equal(tagged.items.length, 3);
    assert.ok(tagged.items.every((it) => it.tags.includes('diffusion')));
    await page.select('#tag', '');
    await page.waitForFunction(() => document.querySelectorAll('#list [role="option"]').length === 6, { timeout: TIMEOUT });

    // The keyboard: move, select, open, remove, undo, search.
    await page.focus('#list');
    const active = () => page.$eval('#list', (el) => el.getAttribute('aria-activedescendant'));
    assert.equal(await active(), 'item-0', 'the first paper is shown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await active(), 'item-1');
    const id = await page.$eval('#item-1', (el) => el.getAttribute('data-paper-id'));
    assert.equal(await page.$eval('#detail', (el) => el.getAttribute('data-paper-id')), id);
    await page.keyboard.press(' ');
    assert.equal(await page.$eval('#item-1', (el) => el.getAttribute('aria-selected')), 'true');
    const selection = JSON.parse((await exportOne(() => page.click('[data-bulk-export="json"]'))).text);
    assert.deepEqual(selection.items.map((it) => it.paper.id), [id], 'a selection exports only itself');
    await page.focus('#list');
    await page.keyboard.press('Escape');
    assert.equal(await page.$eval('#item-1', (el) => el.getAttribute('aria-selected')), 'false');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tagInput');
    assert.equal(await page.$eval('#tagInput', (el) => el.getAttribute('list')), 'tagOptions', 'the field offers the list\'s tags');
    await page.type('#tagInput', `${h.name}-keys`);
    await page.keyboard.press('Enter');
    await waitUntil(async () => (await libraryEntry(cfg, cfg.keysToken, id)).tags.includes(`${h.name}-keys`), 'the tag on the server');
    // The server has the tag before the page has the server's answer: wait for the page, not the server.
    await page.waitForFunction((t) => [...document.querySelectorAll('#tagOptions option')].some((o) => o.value === t),
      { timeout: TIMEOUT }, `${h.name}-keys`).catch(() => assert.fail('a new tag is offered from then on'));
    await page.focus('#list');
    await page.keyboard.press('Delete');
    await waitUntil(async () => !(await libraryEntry(cfg, cfg.keysToken, id)), 'the removal on the server');
    await page.waitForSelector('#toast [data-action="undo"]', { visible: true, timeout: TIMEOUT });
    await page.keyboard.down('Control');
    await page.keyboard.press('z');
    await page.keyboard.up('Control');
    await waitUntil(async () => Boolean(await libraryEntry(cfg, cfg.keysToken, id)), 'the paper back on the server');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
    return {};
  },

  async 'library: bulk tag, remove with undo, recommendations with more like this and not interested'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.curatorToken }));
    const page = await h.extensionPage('library/library.html');
    await waitState(page, 'ready');
    const ids = await page.$$eval('#list [role="option"]', (els) => els.map((el) => el.getAttribute('data-paper-id')));
    assert.ok(ids.length >= 3, `${ids.length} saved papers`);
    // Bulk: select two, tag them.
    for (const id of ids.slice(0, 2)) await page.click(`#list [data-paper-id="${id}"] .check`);
    await page.waitForFunction(() => document.getElementById('selected').textContent === '2 selected');
    await page.type('#bulkTag', 'bulk-tagged');
    await page.click('[data-action="bulk-tag"]');
    await waitUntil(async () => {
      const entries = await Promise.all(ids.slice(0, 2).map((id) => libraryEntry(cfg, cfg.curatorToken, id)));
      return entries.every((e) => e.tags.includes('bulk-tagged'));
    }, 'both papers tagged on the server');
    await page.click('[data-action="bulk-clear"]');
    // Remove one with Delete, then undo: back with its tags, note and saved time.
    const before = await libraryEntry(cfg, cfg.curatorToken, ids[0]);
    await page.click(`#list [data-paper-id="${ids[0]}"]`);
    await page.focus('#list');
    await page.keyboard.press('Delete');
    await waitUntil(async () => !(await libraryEntry(cfg, cfg.curatorToken, ids[0])), 'the removal');
    await page.waitForSelector('#toast [data-action="undo"]', { visible: true });
    await page.click('#toast [data-action="undo"]');
    await waitUntil(async () => libraryEntry(cfg, cfg.curatorToken, ids[0]), 'the undo');
    const after = await libraryEntry(cfg, cfg.curatorToken, ids[0]);
    assert.deepEqual([after.tags, after.note, after.saved_at], [before.tags, before.note, before.saved_at]);
    // Recommendations: more like this, then not interested.
    await page.click('#tab-recs');
    const first = await page.waitForSelector('#recsList > li', { timeout: TIMEOUT });
    const recId = await first.evaluate((el) => el.getAttribute('data-paper-id'));
    await page.click(`#recsList > li[data-paper-id="${recId}"] > .row [data-action="more"]`);
    await page.waitForSelector(`#recsList > li[data-paper-id="${recId}"] ol li[data-paper-id]`, { timeout: TIMEOUT });
    await page.click(`#recsList > li[data-paper-id="${recId}"] > .row [data-action="dismiss"]`);
    await page.waitForSelector(`#recsList > li[data-paper-id="${recId}"]`, { hidden: true, timeout: TIMEOUT });
    const { body } = await api(cfg, '/api/v1/library/recommendations?k=50', { token: cfg.curatorToken });
    assert.ok(!body.results.some((r) => r.id === recId), 'a dismissed paper is not recommended');
    return {};
  },

  async 'listing: a card per paper, one batch request, saving brings scores, sort by score'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.listingToken }));
    const page = await openListing(h, HF_DAY);
    let shown = await listingCards(page);
    assert.equal(shown.length, 30);
    assert.equal(shown[0].id, 'arxiv:2606.00467');
    assert.ok(shown.every((c) => c.saved === 'false' && c.score === null), 'nothing saved, no scores');
    const target = shown[2].id;
    await (await inCard(page, target, '[data-action="save"]')).click();
    await waitUntil(async () => (await listingCards(page)).every((c) => c.score !== null), 'every card to get a score');
    shown = await listingCards(page);
    assert.equal(shown.find((c) => c.id === target).saved, 'true');
    assert.ok(await libraryEntry(cfg, cfg.listingToken, target), 'saved on the server');
    await (await h.inPanel(page, '[data-action="sort"]')).click();
    await page.waitForFunction(() => document.getElementById('paperlens-root').getAttribute('data-sort') === 'score');
    const scores = (await listingCards(page)).map((c) => Number(c.score));
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    // One request for the listing, one more after the save: test_cross_browser.py counts them at the server.
    return { rankRequests: 2 };
  },

  async 'arXiv listing with a small saved library: a score on every card at once, save and unsave, highlight'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.arxivListingToken }));
    const page = await openListing(h, 'http://arxiv.org/list/cs.CL/new');
    let shown = await listingCards(page);
    assert.equal(shown.length, 75);
    assert.ok(shown.every((c) => c.saved === 'false' && c.score !== null && c.score !== ''),
      'the saved library scores every card in the first answer');
    const best = shown.reduce((a, b) => (Number(b.score) > Number(a.score) ? b : a));
    assert.ok(Number(best.score) > 0, 'some card on the listing is close to the library');
    const toggle = await inCard(page, best.id, '[data-action="save"]');
    // A save re-ranks the listing after a 400 ms pause (saves in quick succession are ranked once):
    // each click waits for that answer before the next, so the server counts one per change.
    let answers = await listingAnswers(page);
    await toggle.click();
    await waitUntil(async () => (await listingCards(page)).find((c) => c.id === best.id).saved === 'true', 'the card to show saved');
    await waitUntil(async () => Boolean(await libraryEntry(cfg, cfg.arxivListingToken, best.id)), 'the save to reach the server');
    await waitUntil(async () => (await listingAnswers(page)) > answers, 'the listing re-ranked after the save');
    answers = await listingAnswers(page);
    await toggle.click();
    await waitUntil(async () => (await listingCards(page)).find((c) => c.id === best.id).saved === 'false', 'the card to show unsaved');
    await waitUntil(async () => !(await libraryEntry(cfg, cfg.arxivListingToken, best.id)), 'the removal to reach the server');
    await waitUntil(async () => (await listingAnswers(page)) > answers, 'the listing re-ranked after the removal');
    await (await h.inPanel(page, '[data-action="highlight"]')).click();
    await page.waitForFunction(() => document.getElementById('paperlens-root').getAttribute('data-highlight') === 'true');
    const marks = await page.$$eval('[data-paperlens-card]', (hosts) => hosts.map((el) => el.getAttribute('data-highlight')));
    assert.ok(marks.includes('close') && marks.includes('far') && marks.every((m) => m === 'close' || m === 'far'),
      'the closest papers stand out, the rest are dimmed');
    shown = await listingCards(page);
    assert.ok(shown.every((c) => c.score !== null), 'scores stay on every card');
    // The listing, then one re-rank after the save and one after the unsave.
    return { rankRequests: 3, rankToken: 'arxivListingToken' };
  },

  async 'listing without a token: save toggles offer to connect, no scores'(h, cfg) {
    await h.configure(settings(cfg));
    const page = await openListing(h, 'http://arxiv.org/list/cs.CL/new');
    const shown = await listingCards(page);
    assert.equal(shown.length, 75);
    assert.ok(shown.every((c) => c.saved === 'false' && c.score === null));
    await (await inCard(page, shown[0].id, '[data-action="save"]')).click();
    await page.waitForFunction((i) => {
      const link = document.querySelector(`[data-paperlens-card][data-paper-id="${i}"]`).shadowRoot.querySelector('[data-action="connect"]');
      return link && !link.hidden;
    }, { timeout: TIMEOUT }, shown[0].id);
    await h.inPanel(page, '.notice [data-action="connect"]');
    return {};
  },

  async 'related work for a draft: a .bib file, the cited papers left out, the sentences that match'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.readerToken }));
    const ask = (bibliography) => api(cfg, '/api/v1/related/missing', { token: cfg.readerToken, method: 'POST',
      body: { ...cfg.draft, bibliography, k: 10 } });
    // Cite the three papers the draft is closest to, by title as BibTeX spells it.
    const cited = (await ask([])).body.results.slice(0, 3);
    const bibtex = cited.map((r, n) => `@article{cited${n},\n  title = {{${r.title.toUpperCase()}}},\n}\n`).join('\n');
    const expected = (await ask(bibtex)).body.results;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paperlens-')), 'refs.bib');
    fs.writeFileSync(file, bibtex);
    const page = await h.extensionPage('library/library.html#draft');
    await page.waitForSelector('#tab-draft[aria-selected="true"]', { timeout: TIMEOUT });
    await page.type('#draftTitle', cfg.draft.title);
    await page.$eval('#draftAbstract', (box, text) => { box.value = text; }, cfg.draft.abstract);
    await (await page.$('#bibFile')).uploadFile(file);
    await page.waitForFunction(() => document.getElementById('bibFileState').textContent.startsWith('Loaded refs.bib'),
      { timeout: TIMEOUT });
    assert.equal(await page.$eval('#draftBib', (box) => box.value), bibtex);
    await page.select('#draftK', '10');
    await page.click('#draftFind');
    await page.waitForSelector('#draft[data-state="ready"]', { timeout: 60000 });
    const shown = await page.$$eval('#draftList > li', (rows) => rows.map((row) => ({ id: row.dataset.paperId,
      draft: row.querySelector('.draft-sentence q').textContent, paper: row.querySelector('.paper-sentence q').textContent })));
    assert.deepEqual(shown.map((r) => r.id), expected.map((r) => r.id));
    assert.ok(!shown.some((r) => cited.some((c) => c.id === r.id)), 'the cited papers are left out');
    assert.deepEqual(shown.map((r) => [r.draft, r.paper]), expected.map((r) => [r.draft_sentence, r.paper_sentence]));
    assert.match(await page.$eval('#draftCited', (p) => p.textContent), /^Your bibliography: 3 entries, 3 of them in your corpus/);
    return { results: shown.length };
  },

  async 'a site the user enabled: the generic citation_* adapter runs there'(h, cfg) {
    // 127.0.0.1 stands for the enabled site: its permission is held already (the local server), and
    // granting another needs a person's click. The rest is the user's path: the stored host list,
    // the worker registering the content scripts, the generic adapter reading the page's meta tags.
    const registered = () => h.control.evaluate(() => (globalThis.browser || globalThis.chrome).scripting
      .getRegisteredContentScripts().then((scripts) => scripts.map((x) => x.matches)));
    await h.configure(settings(cfg, { genericHosts: ['127.0.0.1'] }));
    try {
      await waitUntil(async () => JSON.stringify(await registered()) === '[["http://127.0.0.1/*"]]',
        'the content scripts registered for 127.0.0.1');
      const page = await h.openPaper(`http://127.0.0.1:${cfg.pagePort}/journal/article-42`);
      assert.equal(await page.evaluate(() => document.getElementById('paperlens-root').getAttribute('data-paper-id')),
        'doi:10.5555/joe.2024.42');
    } finally {
      await h.configure(settings(cfg));
      await waitUntil(async () => (await registered()).length === 0, 'the content scripts unregistered');
    }
    return {};
  },

  async "the toolbar button's menu offers the library"(h) {
    // update() fails for a menu item that was never created (there is no way to list them).
    const exists = await h.control.evaluate(() => new Promise((resolve) => {
      chrome.contextMenus.update('open-library', {}, () => resolve(!chrome.runtime.lastError));
    }));
    assert.equal(exists, true);
    return {};
  },

  async "a page's scripts cannot obtain the token"(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.attackToken, inspectableOverlay: false }));
    const page = await h.openPaper(ARXIV);
    const found = await page.evaluate(PAGE_ATTACK, cfg.serverUrl, cfg.attackCode, cfg.attackToken);
    assert.deepEqual(found, []);
    // The page's attempt did not use the code up: an extension can still trade it.
    const origin = h.base.slice(0, -1); // this extension's own origin, as the browser would send it
    const traded = await api(cfg, '/api/v1/connect', { method: 'POST', body: { code: cfg.attackCode, client: 'test' },
      headers: { Origin: origin } });
    assert.equal(traded.status, 201);
    return {};
  },

  async 'full-text pages: the panel docks beside the text'(h, cfg) {
    await h.configure(settings(cfg));
    const page = await h.openPaper('http://ar5iv.labs.arxiv.org/html/1706.03762');
    assert.equal(await page.evaluate(() => document.getElementById('paperlens-root').getAttribute('data-placement')),
      'docked');
    const hits = await page.evaluate(() => {
      const panel = document.getElementById('paperlens-root').shadowRoot.querySelector('.panel').getBoundingClientRect();
      let n = 0;
      for (const p of document.querySelectorAll('article .ltx_p')) {
        const range = document.createRange();
        range.selectNodeContents(p);
        for (const r of range.getClientRects()) {
          if (r.width && r.left < panel.right && r.right > panel.left && r.top < panel.bottom && r.bottom > panel.top) n += 1;
        }
      }
      return n;
    });
    assert.equal(hits, 0, 'no line of text under the panel');
    return {};
  },

  async '5,000 saved papers: the library page loads, scrolls and filters'(h, cfg) {
    await h.configure(settings(cfg, { token: cfg.bulkToken }));
    const page = await h.extensionPage('library/library.html');
    await waitState(page, 'ready');
    const loadMs = Number(await page.evaluate(() => document.documentElement.dataset.loadMs));
    // Where the time went: the page starting, the worker's answer (server included), parse and draw.
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark')
      .map((m) => [m.name, Math.round(m.startTime)])));
    assert.equal(await page.$eval('#count', (el) => el.textContent), `${cfg.bulkCount} saved`);
    const rowsInDom = await page.$$eval('#rows > [role="option"]', (els) => els.length);
    assert.ok(rowsInDom > 0 && rowsInDom < 150, `${rowsInDom} rows in the DOM: the list is virtualised`);
    await page.$eval('#list', (el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForSelector(`#rows > [aria-posinset="${cfg.bulkCount}"]`, { timeout: TIMEOUT });
    const filterMs = await page.evaluate(() => {
      document.getElementById('q').value = 'diffusion models';
      const t = performance.now();
      applyView(); // the page's own filter, sort and draw, synchronously
      return performance.now() - t;
    });
    const shown = await page.$eval('#count', (el) => el.textContent);
    assert.match(shown, /^\d+ of \d+$/);
    // The server's share of the load: the one request the page's list comes from, asked directly.
    const t = Date.now();
    const { status } = await api(cfg, '/api/v1/library/export?format=json', { token: cfg.bulkToken });
    assert.equal(status, 200);
    const firstRowsMs = Number(await page.evaluate(() => document.documentElement.dataset.firstRowsMs)) || null;
    return { firstRowsMs, loadMs, answeredAt: marks['library:answered'], serverMs: Date.now() - t,
      filterMs: Math.round(filterMs * 10) / 10, rowsInDom };
  },
};

module.exports = { SCENARIOS };
