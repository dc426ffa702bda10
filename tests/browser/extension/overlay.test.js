/* The panel shows each related paper's closeness in meaning beside its matched words when the
 * server sends one (the semantic signal), as text only, and nothing when it does not. */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');

const EXT = path.resolve(__dirname, '../../../extension');

function overlay() {
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'https://arxiv.org/abs/1706.03762',
    runScripts: 'outside-only' });
  for (const file of ['shared/dom.js', 'content/overlay.js']) dom.window.eval(fs.readFileSync(path.join(EXT, file), 'utf8'));
  const panel = new dom.window.PaperlensOverlay({ onSave() {}, onCollapse() {}, onOptions() {}, onConnect() {},
    onLibrary() {}, inspectable: true });
  panel.mount();
  return panel;
}

const paper = { id: 'arxiv:1706.03762', title: 'Attention Is All You Need' };
const result = (id, extra) => ({ id, title: `Paper ${id}`, score: 10, year: 2020, saveable: true,
  matched_terms: [{ term: 'attention', weight: 0.6 }], ...extra });

test('a result with a meaning shows it as a percentage, beside its matched words', () => {
  const panel = overlay();
  panel.showResults(paper, { query: { id: paper.id }, results: [
    result('arxiv:1', { meaning: 0.734 }), result('arxiv:2', { meaning: null }), result('arxiv:3', {})] });
  const rows = panel.shadow.querySelectorAll('li[data-paper-id]');
  assert.equal(rows.length, 3);
  assert.equal(rows[0].querySelector('.meaning').textContent, 'meaning 73%');
  assert.equal(rows[0].querySelector('.term').textContent, 'attention');
  assert.equal(rows[1].querySelector('.meaning'), null);  // no vector yet: words only
  assert.equal(rows[2].querySelector('.meaning'), null);  // a server without the signal
});

test('a hostile meaning value draws nothing and never markup', () => {
  const panel = overlay();
  panel.showResults(paper, { query: { id: paper.id }, results: [
    result('arxiv:1', { meaning: '<img src=x onerror=alert(1)>' }), result('arxiv:2', { meaning: 7 }),
    result('arxiv:3', { meaning: -0.2 })] });
  const rows = panel.shadow.querySelectorAll('li[data-paper-id]');
  assert.equal(rows[0].querySelector('.meaning'), null);
  assert.equal(panel.shadow.querySelector('img'), null);
  assert.equal(rows[1].querySelector('.meaning').textContent, 'meaning 100%');  // clamped
  assert.equal(rows[2].querySelector('.meaning').textContent, 'meaning 0%');
});

test('the bar shows the server\'s closeness on the corpus scale, not a share of the top hit', () => {
  const panel = overlay();
  panel.showResults(paper, { query: { id: paper.id }, results: [
    result('arxiv:1', { score: 90, closeness: 31 }), result('arxiv:2', { score: 10, closeness: 12 })] });
  const rows = panel.shadow.querySelectorAll('li[data-paper-id]');
  assert.equal(rows[0].querySelector('.closeness').textContent, '31');  // the top hit is not "100%"
  assert.equal(rows[0].querySelector('.bar').getAttribute('aria-label'), 'closeness 31 of 100');
  assert.equal(rows[1].querySelector('.closeness').textContent, '12');
  assert.ok(panel.shadow.querySelector('[data-nothing-close]'), 'says nothing in the corpus is close');
});

test('close results carry no warning, and an older server\'s answer keeps the relative bar', () => {
  const panel = overlay();
  panel.showResults(paper, { query: { id: paper.id }, results: [
    result('arxiv:1', { score: 20, closeness: 64 }), result('arxiv:2', { score: 10, closeness: 50 })] });
  assert.equal(panel.shadow.querySelector('[data-nothing-close]'), null);
  const older = overlay();
  older.showResults(paper, { query: { id: paper.id }, results: [result('arxiv:1', { score: 20 }), result('arxiv:2', { score: 10 })] });
  assert.equal(older.shadow.querySelectorAll('li[data-paper-id]')[1].querySelector('.bar').getAttribute('aria-label'), 'relevance 50%');
});

test('on the demo corpus the panel says so and how to follow a field, as text', () => {
  const panel = overlay();
  panel.showResults(paper, { query: { id: paper.id }, demo_corpus: true, results: [result('arxiv:1', { closeness: 60 })] });
  const hint = panel.shadow.querySelector('[data-demo-corpus]');
  assert.ok(hint && hint.textContent.includes('paperlens feeds add arxiv'));
  const own = overlay();
  own.showResults(paper, { query: { id: paper.id }, demo_corpus: false, results: [result('arxiv:1', { closeness: 60 })] });
  assert.equal(own.shadow.querySelector('[data-demo-corpus]'), null);
});
