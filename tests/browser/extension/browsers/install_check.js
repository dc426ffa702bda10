/* Installs a built package as a user keeps it, not as a temporary add-on, and prints one JSON
 * line: { first, second }, what the first and the second start of the same profile showed. Called by tests/browser/extension/test_packages.py:
 *   node install_check.js firefox dist/paperlens-firefox-0.1.0.xpi
 *   node install_check.js chromium DIR_WITH_THE_UNZIPPED_CHROMIUM_PACKAGE
 * Firefox: the .xpi goes into the profile's extensions/ folder under the add-on's id (how an
 * unsigned package is installed for good on ESR / Developer Edition with signatures not required),
 * and the profile is started twice: a temporary add-on would be gone the second time.
 * Chromium: the unpacked folder is loaded as "Load unpacked" loads it, in a kept profile, twice. */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const FIREFOX_ID = 'paperlens@paperlens.dev';
const FIREFOX_UUID = '0f3c2b7a-1d4e-4f5a-9b6c-7d8e9fa0b1c2';
const TIMEOUT = 60000;

async function optionsTitle(browser, url) {
  const page = await browser.newPage();
  try {
    await page.goto(url, { timeout: TIMEOUT });
    await page.waitForSelector('body', { timeout: TIMEOUT });
    return await page.title();
  } finally {
    await page.close().catch(() => {});
  }
}

/* Starts Firefox on the profile; returns the title of the page the extension opens on its first run
 * (WebDriver BiDi may not navigate to extension pages itself), or null when it opens none, and the
 * add-on's state as Firefox recorded it in the profile (extensions.json) once closed. */
async function firefoxOnce(profile, expectPage) {
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, userDataDir: profile,
    extraPrefsFirefox: {
      'xpinstall.signatures.required': false, // ESR and Developer Edition honour it; release Firefox does not
      'extensions.autoDisableScopes': 0, // add-ons placed in the profile start enabled
      'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ID]: FIREFOX_UUID }),
      'browser.shell.checkDefaultBrowser': false, 'datareporting.policy.dataSubmissionEnabled': false,
    },
  });
  let title = null;
  try {
    const deadline = Date.now() + TIMEOUT;
    while (expectPage && title === null) {
      for (const page of await browser.pages()) {
        const href = await page.evaluate(() => location.href).catch(() => '');
        if (href.startsWith(`moz-extension://${FIREFOX_UUID}/`)) {
          await page.waitForSelector('body', { timeout: TIMEOUT });
          title = await page.title();
        }
      }
      if (title === null && Date.now() > deadline) title = 'error: the extension opened no page';
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await browser.close();
  }
  const addons = JSON.parse(fs.readFileSync(path.join(profile, 'extensions.json'), 'utf8')).addons;
  const state = addons.find((a) => a.id === FIREFOX_ID);
  return { title, state: state && { active: state.active, location: state.location, userDisabled: state.userDisabled } };
}

async function chromiumOnce(profile, unpacked) {
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium', headless: true, userDataDir: profile, enableExtensions: [unpacked],
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const worker = await browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().endsWith('/background/worker.js'), { timeout: TIMEOUT });
    return await optionsTitle(browser, `chrome-extension://${new URL(worker.url()).host}/options/options.html`);
  } finally {
    await browser.close();
  }
}

async function main() {
  const [name, pkg] = process.argv.slice(2);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), `paperlens-${name}-profile-`));
  try {
    let first;
    let second;
    if (name === 'firefox') {
      fs.mkdirSync(path.join(profile, 'extensions'));
      fs.copyFileSync(pkg, path.join(profile, 'extensions', `${FIREFOX_ID}.xpi`));
      first = await firefoxOnce(profile, true);
      second = await firefoxOnce(profile, false); // no first-run page now: Firefox's own record says
    } else {
      first = { title: await chromiumOnce(profile, path.resolve(pkg)) };
      second = { title: await chromiumOnce(profile, path.resolve(pkg)) };
    }
    console.log(JSON.stringify({ first, second }));
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(String((e && e.stack) || e));
  process.exit(1);
});
