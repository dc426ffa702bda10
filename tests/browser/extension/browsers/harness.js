/* One browser with the Paperlens extension loaded, driven by puppeteer-core: Debian's Chromium over
 * CDP, or Debian's Firefox ESR over WebDriver BiDi (nothing is downloaded). Paper sites resolve to
 * the fixture page server: Chromium maps their names with host-resolver rules, Firefox uses the
 * page server as its HTTP proxy (which it can be: it serves by Host header). */
'use strict';
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const EXTENSION = path.resolve(__dirname, '../../../../extension');
const EXECUTABLES = { chromium: '/usr/bin/chromium', firefox: '/usr/bin/firefox-esr' };
// Firefox gives each install a random internal UUID; a fixed one makes the extension's URLs known.
const FIREFOX_UUID = '9d6a3c1e-5b0f-4c2a-8e7d-1f2a3b4c5d6e';
const FIREFOX_ID = 'paperlens@paperlens.dev';
const TIMEOUT = 20000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check, what, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

class Harness {
  constructor(name, browser, base) {
    this.name = name;
    this.browser = browser;
    this.base = base; // the extension's origin, with a trailing slash
    this.control = null; // an extension page used to reach extension APIs
  }

  static async launch(name, { pagePort, hosts, tlsPort, tlsHosts = [] }) {
    let browser;
    if (name === 'chromium') {
      // Hosts Chromium preloads HSTS for (openreview.net) go to the page server's TLS port.
      const rules = [...tlsHosts.map((h) => `MAP ${h} 127.0.0.1:${tlsPort}`),
        ...hosts.map((h) => `MAP ${h} 127.0.0.1:${pagePort}`), 'MAP * ~NOTFOUND',
        'EXCLUDE 127.0.0.1', 'EXCLUDE localhost'].join(', ');
      browser = await puppeteer.launch({
        executablePath: EXECUTABLES.chromium, headless: true, enableExtensions: [EXTENSION],
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
          '--disable-sync', '--no-first-run', `--host-resolver-rules=${rules}`,
          ...(tlsHosts.length ? ['--ignore-certificate-errors'] : [])],
      });
      const worker = await browser.waitForTarget(
        (t) => t.type() === 'service_worker' && t.url().endsWith('/background/worker.js'), { timeout: TIMEOUT });
      const harness = new Harness(name, browser, `chrome-extension://${new URL(worker.url()).host}/`);
      harness.control = await harness.browser.newPage();
      await harness.control.goto(harness.url('options/options.html'));
      return harness;
    }
    browser = await puppeteer.launch({
      browser: 'firefox', executablePath: EXECUTABLES.firefox, headless: true,
      extraPrefsFirefox: {
        'network.proxy.type': 1, 'network.proxy.http': '127.0.0.1', 'network.proxy.http_port': pagePort,
        'network.proxy.no_proxies_on': 'localhost, 127.0.0.1',
        'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ID]: FIREFOX_UUID }),
        'browser.shell.checkDefaultBrowser': false, 'datareporting.policy.dataSubmissionEnabled': false,
        // openreview.net is HSTS-preloaded: over the plain page-server proxy, it must stay http.
        'network.stricttransportsecurity.preloadlist': false,
      },
    });
    await browser.installExtension(EXTENSION);
    const harness = new Harness(name, browser, `moz-extension://${FIREFOX_UUID}/`);
    // WebDriver BiDi may not navigate to extension pages; the extension opens its library page on
    // install, and from there extension APIs (tabs.create, storage) open and set up the rest.
    harness.control = await harness.findPage((href) => href.startsWith(harness.base), 'the first-run page');
    return harness;
  }

  url(p) {
    return this.base + p;
  }

  async href(page) {
    try {
      return await page.evaluate(() => location.href);
    } catch (_) {
      return '';
    }
  }

  async findPage(matches, what, exclude = new Set(), timeout = TIMEOUT) {
    return waitUntil(async () => {
      for (const page of await this.browser.pages()) {
        if (!exclude.has(page) && matches(await this.href(page))) return page;
      }
      return null;
    }, what, timeout);
  }

  /* An extension page (popup, options, library) in a tab of its own. */
  async extensionPage(p) {
    const url = this.url(p);
    if (this.name === 'chromium') {
      const page = await this.browser.newPage();
      await page.goto(url);
      return page;
    }
    // On a loaded machine Firefox has once not shown puppeteer a tab it opened within 20 s (seen
    // under a concurrent load test): ask for another tab rather than fail the scenario on plumbing.
    const before = new Set(await this.browser.pages());
    for (let attempt = 1; ; attempt += 1) {
      await this.control.evaluate((u) => browser.tabs.create({ url: u }).then(() => true), url);
      try {
        return await this.findPage((href) => href === url, url, before, attempt < 3 ? 10000 : TIMEOUT);
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  }

  /* Write settings straight into storage.local, as a user's options page (or a reviewer) would. */
  async configure(settings) {
    await this.control.evaluate(async (values) => {
      const ext = globalThis.browser || globalThis.chrome;
      await ext.storage.local.set(values);
      // The worker drops its cached answers when the settings change; an (empty) settings:set
      // answers only once it has, so the scenario never meets an answer from before.
      await ext.runtime.sendMessage({ type: 'settings:set', settings: {} });
      return true;
    }, settings);
  }

  async stored(key) {
    return this.control.evaluate((k) => {
      const ext = globalThis.browser || globalThis.chrome;
      return ext.storage.local.get(k).then((v) => (v[k] === undefined ? null : v[k]));
    }, key);
  }

  async open(url) {
    const page = await this.browser.newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    return page;
  }

  /* A paper page, once the panel reaches `state` (its host element's data-state). */
  async openPaper(url, state = 'ready') {
    const page = await this.open(url);
    await page.waitForFunction((s) => {
      const host = document.getElementById('paperlens-root');
      return host && host.getAttribute('data-state') === s;
    }, { timeout: TIMEOUT }, state);
    return page;
  }

  /* An element inside the panel's (inspectable) shadow root, for real clicks. */
  async inPanel(page, selector) {
    const handle = await page.waitForFunction((sel) => {
      const host = document.getElementById('paperlens-root');
      return host && host.shadowRoot && host.shadowRoot.querySelector(sel);
    }, { timeout: TIMEOUT }, selector);
    return handle.asElement();
  }

  async panelAttr(page, selector, name) {
    return page.evaluate((sel, n) => {
      const el = document.getElementById('paperlens-root').shadowRoot.querySelector(sel);
      return el && el.getAttribute(n);
    }, selector, name);
  }

  async closePagesBut(keep) {
    for (const page of await this.browser.pages()) {
      if (page !== this.control && !keep.has(page)) await page.close().catch(() => {});
    }
  }

  async close() {
    await this.browser.close().catch(() => {});
  }
}

module.exports = { Harness, waitUntil, sleep, TIMEOUT };
