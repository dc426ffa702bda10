/* Runs every scenario in one browser (chromium | firefox) and prints one JSON object: for each
 * scenario, ok, the time it took, what it measured, or the error. Called by
 * tests/browser/e2e/test_cross_browser.py, which starts the server and the fixture pages first:
 *   node run.js firefox config.json */
'use strict';
const fs = require('node:fs');
const { Harness } = require('./harness.js');
const { SCENARIOS: CORE } = require('./scenarios.js');
const { PDF_SCENARIOS } = require('./pdf-scenarios.js');

const SCENARIOS = { ...CORE, ...PDF_SCENARIOS };

const SCENARIO_TIMEOUT_MS = 120000;

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  })]).finally(() => clearTimeout(timer));
}

async function main() {
  const [name, configPath] = process.argv.slice(2);
  const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  const only = cfg.only ? new Set(cfg.only) : null;
  const results = {};
  const started = Date.now();
  const harness = await withTimeout(Harness.launch(name, cfg), 60000, 'launching the browser');
  results.launchMs = Date.now() - started;
  try {
    for (const [title, scenario] of Object.entries(SCENARIOS)) {
      if (only && !only.has(title)) continue;
      const t = Date.now();
      try {
        const measured = await withTimeout(scenario(harness, cfg), SCENARIO_TIMEOUT_MS, title);
        results[title] = { ok: true, ms: Date.now() - t, measured };
      } catch (e) {
        results[title] = { ok: false, ms: Date.now() - t, error: String((e && e.stack) || e).slice(0, 4000) };
      }
      await harness.closePagesBut(new Set());
    }
  } finally {
    await harness.close();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e && e.stack) || e}\n`);
  process.exit(1);
});
