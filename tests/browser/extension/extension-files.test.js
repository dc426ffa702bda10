/* The options' site list and the side panel load the adapters by the paths the manifest gives.
 * Firefox reports content-script files as full moz-extension:// URLs where Chromium keeps them as
 * written; with the old prefix test the options' site list came out empty in Firefox. */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { extensionPath, contentScriptFiles } = require('../../../extension/shared/extension-files.js');
const { readManifest } = require('./site-lists.js');

const FIREFOX_BASE = 'moz-extension://9d6a3c1e-5b0f-4c2a-8e7d-1f2a3b4c5d6e/';

test('a path stays a path; a Firefox or Chromium extension URL becomes the path inside the extension', () => {
  assert.equal(extensionPath('content/sites/arxiv.js'), 'content/sites/arxiv.js');
  assert.equal(extensionPath('/content/sites/arxiv.js'), 'content/sites/arxiv.js');
  assert.equal(extensionPath(`${FIREFOX_BASE}content/sites/arxiv.js`), 'content/sites/arxiv.js');
  assert.equal(extensionPath('chrome-extension://abcdefghijklmnop/content/listings/arxiv.js'),
    'content/listings/arxiv.js');
});

test('the manifest as Firefox reports it names the same files as the manifest as written', () => {
  const manifest = readManifest();
  const firefox = { ...manifest, content_scripts: manifest.content_scripts.map((c) => ({
    ...c, js: c.js.map((f) => FIREFOX_BASE + f) })) };
  const asWritten = contentScriptFiles(manifest);
  assert.deepEqual(contentScriptFiles(firefox), asWritten);
  // The files the options page lists sites from are among them (none lost to the URL form).
  assert.ok(asWritten.some((f) => f.startsWith('content/sites/')));
  assert.ok(asWritten.some((f) => f.startsWith('content/listings/')));
  assert.equal(new Set(asWritten).size, asWritten.length, 'each file once');
});
