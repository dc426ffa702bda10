/* Adding a site is one adapter file (and its test): the manifest's lists and the options page
 * come from what the adapters declare, and the background scripts are listed consistently. */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { adapters, derivedManifest, readManifest, EXTENSION } = require('./site-lists.js');

test('every adapter declares site, label, matches and priority', () => {
  const seen = new Set();
  for (const { kind, file, adapter } of adapters()) {
    assert.match(adapter.site, /^[a-z0-9-]+$/, file);
    assert.ok(!seen.has(adapter.site), `${file}: site ${adapter.site} is declared twice`);
    seen.add(adapter.site);
    assert.ok(typeof adapter.label === 'string' && adapter.label.length > 1, `${file}: label`);
    assert.ok(Array.isArray(adapter.matches), `${file}: matches`);
    for (const m of adapter.matches) assert.match(m, /^(\*|https?):\/\/[^/*]+\/.*$/, `${file}: ${m}`);
    assert.ok(Number.isFinite(adapter.priority), `${file}: priority`);
    assert.equal(typeof adapter.detect, 'function');
    // A paper page yields its paper; a listing page yields an entry per paper on it.
    assert.equal(typeof adapter[kind === 'sites' ? 'extract' : 'entries'], 'function', `${file}: ${kind === 'sites' ? 'extract' : 'entries'}`);
  }
});

test('the generic adapter ranks below every site adapter (by priority, not by name)', () => {
  const list = adapters().filter((a) => a.kind === 'sites').map((a) => a.adapter);
  const generic = list.find((a) => a.site === 'generic');
  for (const a of list) if (a !== generic) assert.ok(a.priority > generic.priority, a.site);
});

test('manifest.json lists exactly what the adapters declare (run `npm run manifest` after adding a site)', () => {
  const manifest = readManifest();
  assert.deepEqual(manifest, derivedManifest(manifest));
});

test('Firefox and Chromium load the same background scripts in the same order', () => {
  const manifest = readManifest();
  const worker = fs.readFileSync(path.join(EXTENSION, manifest.background.service_worker), 'utf8');
  const imported = worker.match(/importScripts\(([^)]*)\)/)[1].match(/'([^']+)'/g).map((s) => `background/${s.slice(1, -1)}`);
  assert.deepEqual(imported, manifest.background.scripts);
});

test('every file the manifest and the pages name exists', () => {
  const manifest = readManifest();
  const files = [...manifest.background.scripts, manifest.background.service_worker,
    ...manifest.content_scripts.flatMap((c) => c.js)];
  for (const page of ['popup/popup.html', 'options/options.html', 'library/library.html']) {
    const html = fs.readFileSync(path.join(EXTENSION, page), 'utf8');
    for (const [, src] of html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)) {
      files.push(path.posix.join(path.posix.dirname(page), src));
    }
  }
  for (const f of files) assert.ok(fs.existsSync(path.join(EXTENSION, f)), f);
});
