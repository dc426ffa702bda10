/* Each site adapter declares its PDF URLs beside its page patterns (`pdf: {matches, read}`): what
 * a PDF's URL says about its paper (ids, page URLs), one case per pattern, and none claims another
 * site's PDF or a page. The side panel and the popup read PDF tabs with this (shared/pdf-urls.js). */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { sites } = require('./helpers.js');
const { adapters, derivedManifest, readManifest } = require('./site-lists.js');

const { pdfPaper, matchesPattern } = require(path.resolve(__dirname, '../../../extension/shared/pdf-urls.js'));
const ALL = Object.values(sites).sort((a, b) => b.priority - a.priority);

const CASES = [
  // arXiv: new-style ids with and without a version, with and without ".pdf", old-style ids.
  ['https://arxiv.org/pdf/1706.03762', 'arxiv', { arxiv: '1706.03762' }, ['https://arxiv.org/abs/1706.03762']],
  ['https://arxiv.org/pdf/1706.03762v7', 'arxiv', { arxiv: '1706.03762' }, ['https://arxiv.org/abs/1706.03762']],
  ['http://arxiv.org/pdf/2006.11239v2.pdf', 'arxiv', { arxiv: '2006.11239' }, ['https://arxiv.org/abs/2006.11239']],
  ['https://arxiv.org/pdf/2401.01234v12#page=4', 'arxiv', { arxiv: '2401.01234' }, ['https://arxiv.org/abs/2401.01234']],
  ['https://arxiv.org/pdf/hep-th/9901001v2', 'arxiv', { arxiv: 'hep-th/9901001' }, ['https://arxiv.org/abs/hep-th/9901001']],
  ['https://arxiv.org/pdf/math.GT/0309136', 'arxiv', { arxiv: 'math.GT/0309136' }, ['https://arxiv.org/abs/math.GT/0309136']],
  // OpenReview: note ids (letters, digits, _ and -).
  ['https://openreview.net/pdf?id=PxTIG12RRHS', 'openreview', { openreview: 'PxTIG12RRHS' },
    ['https://openreview.net/forum?id=PxTIG12RRHS']],
  ['https://openreview.net/pdf?id=r1-_x9gAb', 'openreview', { openreview: 'r1-_x9gAb' },
    ['https://openreview.net/forum?id=r1-_x9gAb']],
  // ACL Anthology: new ids (with the DOI they have since 2016) and old ones, versioned PDFs.
  ['https://aclanthology.org/2023.acl-long.1.pdf', 'acl', { acl: '2023.acl-long.1', doi: '10.18653/v1/2023.acl-long.1' },
    ['https://aclanthology.org/2023.acl-long.1/']],
  ['https://aclanthology.org/2020.emnlp-main.550v2.pdf', 'acl', { acl: '2020.emnlp-main.550', doi: '10.18653/v1/2020.emnlp-main.550' },
    ['https://aclanthology.org/2020.emnlp-main.550/']],
  ['https://aclanthology.org/P17-1001.pdf', 'acl', { acl: 'P17-1001' }, ['https://aclanthology.org/P17-1001/']],
  // bioRxiv / medRxiv: the DOI, without the version.
  ['https://www.biorxiv.org/content/10.1101/2022.12.09.519842v1.full.pdf', 'biorxiv', { doi: '10.1101/2022.12.09.519842' },
    ['https://www.biorxiv.org/content/10.1101/2022.12.09.519842']],
  ['https://www.medrxiv.org/content/10.1101/2020.03.04.20031112v3.full.pdf', 'biorxiv', { doi: '10.1101/2020.03.04.20031112' },
    ['https://www.medrxiv.org/content/10.1101/2020.03.04.20031112']],
  // Proceedings without ids: the page the PDF belongs to.
  ['https://proceedings.mlr.press/v202/rafailov23a/rafailov23a.pdf', 'pmlr', {},
    ['https://proceedings.mlr.press/v202/rafailov23a.html']],
  ['https://proceedings.neurips.cc/paper_files/paper/2023/file/a85b405ed65c6477a4fe8302b5e06ce7-Paper-Conference.pdf',
    'neurips', {}, ['https://proceedings.neurips.cc/paper_files/paper/2023/hash/a85b405ed65c6477a4fe8302b5e06ce7-Abstract-Conference.html']],
  ['https://proceedings.neurips.cc/paper/2020/file/4c5bcfec8584af0d967f1ab10179ca4b-Paper.pdf', 'neurips', {},
    ['https://proceedings.neurips.cc/paper/2020/hash/4c5bcfec8584af0d967f1ab10179ca4b-Abstract.html']],
  ['https://openaccess.thecvf.com/content/CVPR2023/papers/Kirillov_Segment_Anything_CVPR_2023_paper.pdf', 'cvf', {},
    ['https://openaccess.thecvf.com/content/CVPR2023/html/Kirillov_Segment_Anything_CVPR_2023_paper.html']],
  ['https://openaccess.thecvf.com/content_cvpr_2018/papers/Hu_Squeeze-and-Excitation_Networks_CVPR_2018_paper.pdf', 'cvf', {},
    ['https://openaccess.thecvf.com/content_cvpr_2018/html/Hu_Squeeze-and-Excitation_Networks_CVPR_2018_paper.html']],
];

for (const [url, site, ids, pages] of CASES) {
  test(`${site} PDF: ${url}`, () => {
    const found = pdfPaper(url, ALL);
    assert.ok(found, 'an adapter reads it');
    assert.equal(found.site, site);
    assert.deepEqual(found.ids, ids);
    assert.deepEqual(found.pages, pages);
    assert.equal(found.url, url.replace(/#.*$/, ''));
  });
}

const NOT_PDFS = [
  'https://arxiv.org/abs/1706.03762', 'https://arxiv.org/pdf/', 'https://arxiv.org/pdf/not-an-id',
  'https://openreview.net/forum?id=PxTIG12RRHS', 'https://openreview.net/pdf', 'https://openreview.net/pdf?id=a%20b',
  'https://aclanthology.org/2023.acl-long.1/', 'https://aclanthology.org/volumes/2023.acl-long.pdf',
  'https://www.biorxiv.org/content/10.1101/2022.12.09.519842v1', 'https://www.biorxiv.org/content/10.1101/2022.12.09.519842v1.full',
  'https://proceedings.mlr.press/v202/rafailov23a.html', 'https://proceedings.mlr.press/v202/',
  'https://proceedings.neurips.cc/paper_files/paper/2023/hash/a85b405ed65c6477a4fe8302b5e06ce7-Abstract-Conference.html',
  'https://openaccess.thecvf.com/content/CVPR2023/html/Kirillov_Segment_Anything_CVPR_2023_paper.html',
  // another host with the same path, and not http(s)
  'https://evil.example/pdf/1706.03762', 'https://arxiv.org.evil.example/pdf/1706.03762',
  'file:///home/me/arxiv.org/pdf/1706.03762.pdf', 'javascript:alert(1)//arxiv.org/pdf/1706.03762', 'not a url',
];

for (const url of NOT_PDFS) {
  test(`not a PDF any adapter claims: ${url}`, () => {
    assert.equal(pdfPaper(url, ALL), null);
  });
}

test('every PDF pattern is covered by a host permission (the panel can read such a tab)', () => {
  const manifest = readManifest();
  const hosts = derivedManifest(manifest).host_permissions;
  for (const { file, adapter } of adapters()) {
    for (const pattern of (adapter.pdf && adapter.pdf.matches) || []) {
      assert.match(pattern, /^(\*|https?):\/\/[^/*]+\/.*$/, `${file}: ${pattern}`);
      const origin = pattern.replace(/^([^:]+:\/\/[^/]+)\/.*$/, '$1/*');
      assert.ok(hosts.includes(origin), `${file}: ${origin} in host_permissions`);
    }
  }
});

test('each adapter with a pdf declaration reads only PDFs its own patterns match', () => {
  for (const [url, site] of CASES) {
    const u = new URL(url);
    const owner = Object.values(sites).find((a) => a.site === site);
    assert.ok(owner.pdf.matches.some((p) => matchesPattern(p, u)), `${site} pattern matches ${url}`);
    for (const other of Object.values(sites)) {
      if (other === owner || !other.pdf) continue;
      assert.equal(other.pdf.read(u), null, `${other.site} leaves ${url} alone`);
    }
  }
});

test('a proceedings page is read by its adapter from its citation tags', () => {
  const { page } = require('./helpers.js');
  const html = `<html><head><meta name="citation_title" content="Direct Preference Optimization">
    <meta name="citation_author" content="Rafailov, Rafael"><meta name="citation_author" content="Sharma, Archit">
    <meta name="citation_publication_date" content="2023/07/03"></head><body><p>x</p></body></html>`;
  const cases = [['pmlr', 'https://proceedings.mlr.press/v202/rafailov23a.html'],
    ['neurips', 'https://proceedings.neurips.cc/paper_files/paper/2023/hash/a85b405ed65c6477a4fe8302b5e06ce7-Abstract-Conference.html'],
    ['cvf', 'https://openaccess.thecvf.com/content/CVPR2023/html/Kirillov_Segment_Anything_CVPR_2023_paper.html']];
  for (const [site, url] of cases) {
    const { doc, url: u } = page(html, url);
    assert.ok(sites[site].detect(doc, u), `${site} detects its page`);
    const p = sites[site].extract(doc, u);
    assert.equal(p.title, 'Direct Preference Optimization');
    assert.deepEqual(p.authors, ['Rafael Rafailov', 'Archit Sharma']);
    assert.equal(p.date, '2023-07-03');
    assert.equal(p.url, url);
    const bare = page('<html><head></head><body>no tags</body></html>', url);
    assert.equal(sites[site].detect(bare.doc, bare.url), false, `${site} needs the citation tags`);
    for (const other of Object.values(sites)) {
      if (other.site !== site && other.site !== 'generic') assert.equal(other.detect(doc, u), false, `${other.site} on ${site}`);
    }
  }
});
