/* The manifest's site lists, derived from the adapters: every file in extension/content/sites
 * (paper pages) and extension/content/listings (listing pages) declares {site, label, matches,
 * priority}. `npm run manifest` writes the derived lists into manifest.json and manifest.test.js
 * fails while they differ, so adding a site or a listing kind is its adapter file (plus its test)
 * and one command. */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const EXTENSION = path.resolve(__dirname, '../../../extension');
const MANIFEST = path.join(EXTENSION, 'manifest.json');
const KINDS = ['sites', 'listings']; // content/<kind>/<adapter>.js
// Where `paperlens serve` listens: reachable without asking, like the named sites.
const SERVER_ORIGINS = ['http://127.0.0.1/*', 'http://localhost/*'];

function adapters() {
  return KINDS.flatMap((kind) => {
    const dir = path.join(EXTENSION, 'content', kind);
    return fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort().map((f) => ({
      kind,
      file: `content/${kind}/${f}`,
      adapter: require(path.join(dir, f)),
    }));
  });
}

function originOf(pattern) {
  const m = pattern.match(/^([^:]+:\/\/[^/]+)\//);
  if (!m) throw new Error(`not a match pattern: ${pattern}`);
  return `${m[1]}/*`;
}

const unique = (list) => [...new Set(list)];

/* manifest.json as it should be: the panel's content script runs on every adapter's matches and
 * loads every adapter (after paper.js, which they use: paper sites, then listings); host
 * permissions cover those sites. */
function derivedManifest(manifest) {
  const m = JSON.parse(JSON.stringify(manifest));
  const list = adapters();
  const panel = m.content_scripts.find((c) => c.js.includes('content/main.js'));
  const others = panel.js.filter((f) => !KINDS.some((kind) => f.startsWith(`content/${kind}/`)));
  const at = others.indexOf('content/paper.js') + 1;
  panel.js = [...others.slice(0, at), ...list.map((a) => a.file), ...others.slice(at)];
  panel.matches = unique(list.flatMap((a) => a.adapter.matches));
  // PDFs: no content script runs in a PDF viewer, but the side panel reads a PDF tab's URL, which
  // the browser shows an extension only for hosts it holds a permission for.
  const pdfMatches = list.flatMap((a) => (a.adapter.pdf ? a.adapter.pdf.matches : []));
  m.host_permissions = unique([...panel.matches.map(originOf), ...pdfMatches.map(originOf), ...SERVER_ORIGINS]);
  return m;
}

function readManifest() {
  return JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
}

if (require.main === module) {
  fs.writeFileSync(MANIFEST, `${JSON.stringify(derivedManifest(readManifest()), null, 2)}\n`);
  console.log('manifest.json: site lists written from the adapters');
}

module.exports = { adapters, derivedManifest, readManifest, EXTENSION };
