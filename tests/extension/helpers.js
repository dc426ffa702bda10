/* Loads the extension's content-script modules into node and parses fixture pages with jsdom. */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');

const EXT = path.resolve(__dirname, '../../extension/content');
const PAGES = path.resolve(__dirname, '../e2e/pages');

const paper = require(path.join(EXT, 'paper.js'));
const sites = Object.fromEntries(
  ['arxiv', 'huggingface', 'openreview', 'acl', 'semanticscholar', 'biorxiv', 'generic']
    .map((name) => [name, require(path.join(EXT, 'sites', `${name}.js`))]),
);

// Scripts stay off: adapters must read the page as the server sent it.
function page(html, url) {
  const dom = new JSDOM(html, { url });
  return { doc: dom.window.document, url: new URL(url) };
}

function fixture(relPath, url) {
  return page(fs.readFileSync(path.join(PAGES, relPath), 'utf8'), url);
}

module.exports = { paper, sites, page, fixture };
