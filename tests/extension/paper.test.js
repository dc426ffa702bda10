/* The shared paper helpers: ids as the server computes them, bounded text, dates. */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { paper } = require('./helpers.js');

test('arXiv ids lose their version, old and new style', () => {
  assert.equal(paper.arxivId('1706.03762v7'), '1706.03762');
  assert.equal(paper.arxivId('arXiv:2401.00001'), '2401.00001');
  assert.equal(paper.arxivId('hep-th/9901001v2'), 'hep-th/9901001');
  assert.equal(paper.arxivId('math.GT/0309136'), 'math.GT/0309136');
  assert.equal(paper.arxivId('not an id'), '');
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

test('dates come out as YYYY-MM-DD or not at all', () => {
  assert.equal(paper.isoDate('2017/06/12'), '2017-06-12');
  assert.equal(paper.isoDate('2019/6'), '2019-06-01');
  assert.equal(paper.isoDate('2023-05-29T17:57:46.000Z'), '2023-05-29');
  assert.equal(paper.isoDate('12 Jun 2017'), '2017-06-12');
  assert.equal(paper.isoDate('soon'), '');
});

test('only http(s) URLs are kept', () => {
  assert.equal(paper.httpUrl('javascript:alert(1)'), '');
  assert.equal(paper.httpUrl('data:text/html,x'), '');
  assert.equal(paper.httpUrl('https://arxiv.org/abs/1'), 'https://arxiv.org/abs/1');
});
