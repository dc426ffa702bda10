/* The shared paper helpers: ids as the server computes them, bounded text, dates. */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { paper, dom } = require('./helpers.js');

test('arXiv ids lose their version, old and new style', () => {
  assert.equal(paper.arxivId('1706.03762v7'), '1706.03762');
  assert.equal(paper.arxivId('arXiv:2401.00001'), '2401.00001');
  assert.equal(paper.arxivId('hep-th/9901001v2'), 'hep-th/9901001');
  assert.equal(paper.arxivId('math.GT/0309136'), 'math.GT/0309136');
  assert.equal(paper.arxivId('not an id'), '');
});

test('reading an arXiv id from a long run of letters takes linear time (a hostile page or JSON id)', () => {
  const started = Date.now();
  assert.equal(paper.arxivId('a'.repeat(1_000_000)), '');
  assert.equal(paper.arxivId(`${'a'.repeat(1_000_000)} hep-th/9901001`), 'hep-th/9901001');
  // Quadratic, this took about 20 minutes; linear, a fraction of a second.
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
});

test('the paper id prefers arXiv, then a lowercased DOI', () => {
  assert.equal(paper.makePaper({ ids: { arxiv: '1706.03762v5', doi: '10.1/X' }, title: 't' }).id, 'arxiv:1706.03762');
  assert.equal(paper.makePaper({ ids: { doi: 'https://doi.org/10.1145/ABC.Def' }, title: 't' }).id, 'doi:10.1145/abc.def');
  assert.equal(paper.makePaper({ ids: {}, title: 't' }).id, null);
  assert.equal(paper.makePaper({ ids: {}, title: '   ' }), null);
});

test('huge abstracts are trimmed quickly', () => {
  const huge = 'diffusion '.repeat(1_000_000);
  const started = Date.now();
  const p = paper.makePaper({ title: 't', abstract: huge });
  assert.ok(Date.now() - started < 200, 'bounded work');
  assert.ok(p.abstract.length <= paper.MAX_ABSTRACT);
});

test('dates keep the precision the page gives: a day, a month or a year', () => {
  assert.equal(paper.isoDate('2017/06/12'), '2017-06-12');
  assert.equal(paper.isoDate('2023-05-29T17:57:46.000Z'), '2023-05-29');
  assert.equal(paper.isoDate('12 Jun 2017'), '2017-06-12');
  assert.equal(paper.isoDate('June 12, 2017'), '2017-06-12');
  assert.equal(paper.isoDate('soon'), '');
  assert.equal(paper.isoDate('2017-13'), '', 'no such month');
});

test('2017-06 stays a month: no day is invented (the server would keep it over a true month)', () => {
  assert.equal(paper.isoDate('2017-06'), '2017-06');
  assert.equal(paper.isoDate('2019/6'), '2019-06');
  assert.equal(paper.isoDate('June 2017'), '2017-06');
  assert.equal(paper.isoDate('2017'), '2017');
  assert.equal(paper.makePaper({ title: 't', date: '2017-06' }).date, '2017-06');
});

test('a written date is read as written, whatever the time zone', () => {
  // Date.parse('12 Jun 2017') is local midnight; east of UTC its ISO string is the 11th.
  assert.equal(paper.isoDate('1 Jan 2020'), '2020-01-01');
  assert.equal(paper.isoDate('31 Dec 2019'), '2019-12-31');
});

test('only http(s) URLs are kept, by the one rule pages and papers share', () => {
  assert.equal(dom.safeHref('javascript:alert(1)'), '');
  assert.equal(dom.safeHref('data:text/html,x'), '');
  assert.equal(dom.safeHref('https://arxiv.org/abs/1'), 'https://arxiv.org/abs/1');
  assert.equal(paper.makePaper({ title: 't', url: 'javascript:alert(1)' }).url, '');
  assert.equal(paper.makePaper({ title: 't', url: 'https://arxiv.org/abs/1' }).url, 'https://arxiv.org/abs/1');
});
