/* Loads the extension's content-script modules into node and parses fixture pages with jsdom. */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');

const EXT = path.resolve(__dirname, '../../../extension/content');
const PAGES = path.resolve(__dirname, '../e2e/pages');

const paper = require(path.join(EXT, 'paper.js'));
const dom = require(path.resolve(EXT, '../shared/dom.js'));
// Every adapter file of a kind (sites: paper pages, listings: listing pages), by the site it declares.
const byName = (kind) => Object.fromEntries(fs.readdirSync(path.join(EXT, kind)).filter((f) => f.endsWith('.js'))
  .map((f) => require(path.join(EXT, kind, f))).map((adapter) => [adapter.site, adapter]));
const sites = byName('sites');
const listings = byName('listings');

// Scripts stay off: adapters must read the page as the server sent it.
function page(html, url) {
  const dom = new JSDOM(html, { url });
  return { doc: dom.window.document, url: new URL(url) };
}

function fixture(relPath, url) {
  return page(fs.readFileSync(path.join(PAGES, relPath), 'utf8'), url);
}

module.exports = { paper, dom, sites, listings, page, fixture };
