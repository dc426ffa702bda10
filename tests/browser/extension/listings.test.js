/* Each listing adapter finds every paper on its listing pages (saved from the sites' structure)
 * with the record the page gives, and claims no other page; no paper adapter claims a listing. */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { sites, listings, page, fixture } = require('./helpers.js');

const HF = 'huggingface.co/papers/date/2026-06-12.html';
const CASES = [
  // huggingface.co/papers redirects to the day's page; the adapter reads either address.
  { site: 'huggingface-listings', file: HF, url: 'https://huggingface.co/papers', count: 30, first: 'arxiv:2606.00467',
    title: 'On the Limits of LLM Adaptability: Impact of Model-Internalized Priors on Annotation Task Performance',
    abstractStart: 'Large Language Models (LLMs) are increasingly used', firstAuthor: 'Etienne Casanova', date: '2026-05-30' },
  { site: 'huggingface-listings', file: HF, url: 'https://huggingface.co/papers/date/2026-06-12', count: 30,
    first: 'arxiv:2606.00467', abstractStart: 'Large Language Models (LLMs) are increasingly used' },
  { site: 'huggingface-listings', file: 'huggingface.co/papers/week/2026-W24.html', url: 'https://huggingface.co/papers/week/2026-W24',
    count: 30, first: 'arxiv:2606.13681', title: 'EvoArena: Tracking Memory Evolution for Robust LLM Agents in Dynamic Environments' },
  { site: 'huggingface-listings', file: 'huggingface.co/papers/month/2026-06.html', url: 'https://huggingface.co/papers/month/2026-06',
    count: 30, first: 'arxiv:2606.13681' },
  { site: 'arxiv-listings', file: 'arxiv.org/list/cs.CL/new.html', url: 'https://arxiv.org/list/cs.CL/new', count: 75,
    first: 'arxiv:2606.12003', title: 'Agreement in Representation Space for Open-Ended Self-Consistency',
    abstractStart: 'Self-consistency improves LLM reasoning', firstAuthor: 'Paula Ontalvilla' },
  { site: 'arxiv-listings', file: 'arxiv.org/list/cs.CL/recent.html', url: 'https://arxiv.org/list/cs.CL/recent', count: 50,
    first: 'arxiv:2606.12003', abstract: '' },
  { site: 'arxiv-listings', file: 'arxiv.org/list/cs.CL/pastweek@show=25.html', url: 'https://arxiv.org/list/cs.CL/pastweek?show=25',
    count: 25, first: 'arxiv:2606.12003', title: 'Agreement in Representation Space for Open-Ended Self-Consistency',
    firstAuthor: 'Paula Ontalvilla', abstract: '' },
  { site: 'arxiv-listings', file: 'arxiv.org/list/cs.CL/2606@skip=0&show=250.html', url: 'https://arxiv.org/list/cs.CL/2606?skip=0&show=250',
    count: 250, abstract: '' },
];

for (const c of CASES) {
  test(`${c.site} finds every paper on ${c.url}`, () => {
    const { doc, url } = fixture(c.file, c.url);
    const adapter = listings[c.site];
    assert.equal(adapter.detect(doc, url), true);
    const entries = adapter.entries(doc, url);
    assert.equal(entries.length, c.count);
    const ids = entries.map((e) => e.paper.id);
    assert.equal(new Set(ids).size, ids.length, 'each paper once');
    for (const id of ids) assert.match(id, /^arxiv:\d{4}\.\d{4,5}$/);
    if (c.first) assert.equal(ids[0], c.first);
    const p = entries[0].paper;
    if (c.title) assert.equal(p.title, c.title);
    if (c.abstractStart) assert.ok(p.abstract.startsWith(c.abstractStart), p.abstract.slice(0, 80));
    if (c.abstract !== undefined) assert.equal(p.abstract, c.abstract);
    if (c.firstAuthor) assert.equal(p.authors[0], c.firstAuthor);
    if (c.date) assert.equal(p.date, c.date);
    assert.equal(p.url, `https://arxiv.org/abs/${p.ids.arxiv}`);
    for (const e of entries) {
      assert.ok(e.paper.title && !/^(Title:|\s)/.test(e.paper.title), `${e.paper.id}: ${e.paper.title}`);
      assert.ok(e.nodes.length >= 1 && e.nodes.every((n) => n.isConnected));
      assert.equal(typeof e.mount, 'function');
    }
  });

  test(`no other adapter claims ${c.url}`, () => {
    const { doc, url } = fixture(c.file, c.url);
    for (const adapter of [...Object.values(sites), ...Object.values(listings)]) {
      if (adapter.site === c.site || adapter.site === 'generic') continue;
      assert.equal(adapter.detect(doc, url), false, `${adapter.site} must not claim it`);
    }
  });
}

test('arXiv /new: new submissions and cross-lists carry their abstracts, replacements do not', () => {
  const { doc, url } = fixture('arxiv.org/list/cs.CL/new.html', 'https://arxiv.org/list/cs.CL/new');
  const entries = listings['arxiv-listings'].entries(doc, url);
  const withAbstract = entries.filter((e) => e.paper.abstract);
  assert.equal(withAbstract.length, 60); // 40 new + 20 cross-lists; the 15 replacements show none
  assert.ok(entries.slice(60).every((e) => !e.paper.abstract));
  assert.deepEqual(entries[0].nodes.map((n) => n.tagName), ['DT', 'DD']);
});

test('the card element goes into the entry: after the title on Hugging Face, in the <dt> on arXiv', () => {
  const hf = fixture(HF, 'https://huggingface.co/papers/date/2026-06-12');
  const [first] = listings['huggingface-listings'].entries(hf.doc, hf.url);
  const host = hf.doc.createElement('span');
  first.mount(host);
  assert.equal(host.previousElementSibling.tagName, 'H3');
  assert.ok(first.nodes[0].contains(host));
  const ax = fixture('arxiv.org/list/cs.CL/recent.html', 'https://arxiv.org/list/cs.CL/recent');
  const [entry] = listings['arxiv-listings'].entries(ax.doc, ax.url);
  const other = ax.doc.createElement('span');
  entry.mount(other);
  assert.equal(other.parentElement.tagName, 'DT');
});

test('Hugging Face listings without the hydration data read each card (titles only)', () => {
  const { doc, url } = page(`<html><body><div class="grid">
    <article><h3><a href="/papers/2401.00001">First &lt;b&gt;paper&lt;/b&gt;</a></h3></article>
    <article><h3><a href="/papers/2401.00002">Second paper</a></h3></article>
    <article><h3><a href="/models/foo">Not a paper</a></h3></article></div>
    <div data-target="DailyPapers" data-props="{not json"></div></body></html>`, 'https://huggingface.co/papers/date/2024-01-02');
  const entries = listings['huggingface-listings'].entries(doc, url);
  assert.deepEqual(entries.map((e) => e.paper.id), ['arxiv:2401.00001', 'arxiv:2401.00002']);
  assert.equal(entries[0].paper.title, 'First <b>paper</b>'); // markup stays text
  assert.equal(entries[0].paper.abstract, '');
});

test('old-style arXiv ids (hep-th/9901001) are read from listings too', () => {
  const { doc, url } = page(`<html><body><dl>
    <dt><a name="item1">[1]</a> <span class="list-identifier"><a href="/abs/hep-th/9901001" title="Abstract">arXiv:hep-th/9901001</a></span></dt>
    <dd><div class="meta"><div class="list-title mathjax"><span class="descriptor">Title:</span> Strings</div></div></dd>
    <dt><a href="/abs/2401.00001v2" title="Abstract">arXiv:2401.00001v2</a></dt>
    <dd><div class="meta"><div class="list-title mathjax"><span class="descriptor">Title:</span> Versions</div></div></dd>
    </dl></body></html>`, 'https://arxiv.org/list/hep-th/9901');
  const entries = listings['arxiv-listings'].entries(doc, url);
  assert.deepEqual(entries.map((e) => [e.paper.id, e.paper.title]), [['arxiv:hep-th/9901001', 'Strings'], ['arxiv:2401.00001', 'Versions']]);
});

test('listing adapters claim only listing addresses', () => {
  const { doc } = page('<html><body></body></html>', 'https://example.org/');
  const yes = ['https://huggingface.co/papers', 'https://huggingface.co/papers/', 'https://huggingface.co/papers/date/2025-01-02',
    'https://huggingface.co/papers/week/2025-W01', 'https://huggingface.co/papers/month/2025-01', 'https://arxiv.org/list/cs.CL/new',
    'https://arxiv.org/list/cs/new', 'https://arxiv.org/list/cs.LG/recent?skip=0&show=2000', 'https://arxiv.org/list/hep-th/pastweek',
    'https://arxiv.org/list/math.AG/2407', 'https://www.arxiv.org/list/cond-mat.str-el/new', 'https://arxiv.org/list/cs.CL/2024-07'];
  const no = ['https://huggingface.co/papers/2305.18290', 'https://huggingface.co/papers/trending/extra/path',
    'https://arxiv.org/abs/1706.03762', 'https://arxiv.org/list/cs.CL', 'https://example.org/list/cs.CL/new',
    'https://huggingface.co/models', 'https://arxiv.org/list/cs.CL/new/extra'];
  const claims = (href) => Object.values(listings).filter((a) => a.detect(doc, new URL(href))).length;
  for (const href of yes) assert.equal(claims(href), 1, href);
  for (const href of no) assert.equal(claims(href), 0, href);
});

test('a hostile Hugging Face listing: deep, cut-short or huge hydration data and huge titles cost little and break nothing', () => {
  const cardsHtml = '<article><h3><a href="/papers/2401.00001">A paper</a></h3></article>';
  const props = [
    '['.repeat(200000) + ']'.repeat(200000), // deeper than any parser's stack
    JSON.stringify({ dailyPapers: [{ paper: { id: '2401.00001', title: 'Cut', summary: 'x' } }] }).slice(0, 40),
    JSON.stringify({ dailyPapers: 'not a list' }),
    JSON.stringify({ dailyPapers: [null, 7, { paper: { id: { not: 'a string' } } }, { paper: { id: '2401.00001', title: 'T'.repeat(1_000_000), summary: 'a'.repeat(3_000_000), authors: 'nope' } }] }),
  ];
  for (const raw of props) {
    const { doc, url } = page(`<html><body>${cardsHtml}<div data-target="DailyPapers"></div></body></html>`,
      'https://huggingface.co/papers');
    doc.querySelector('[data-target]').setAttribute('data-props', raw);
    const entries = listings['huggingface-listings'].entries(doc, url);
    assert.equal(entries.length, 1);
    const p = entries[0].paper;
    assert.equal(p.id, 'arxiv:2401.00001');
    assert.ok(p.title.length <= 500 && p.abstract.length <= 5000 && Array.isArray(p.authors));
  }
});

test('an arXiv listing of 3,000 entries with a huge title is read in one bounded pass', () => {
  const entry = (i) => `<dt><a href="/abs/2401.${String(i).padStart(5, '0')}" title="Abstract">arXiv:2401.${String(i).padStart(5, '0')}</a></dt>
    <dd><div class="meta"><div class="list-title mathjax"><span class="descriptor">Title:</span> ${i === 0 ? 'W'.repeat(2_000_000) : `Paper ${i}`}</div></div></dd>`;
  const html = `<html><body><dl id="articles">${Array.from({ length: 3000 }, (_, i) => entry(i)).join('')}</dl></body></html>`;
  const { doc, url } = page(html, 'https://arxiv.org/list/cs.LG/recent?skip=0&show=2000');
  const entries = listings['arxiv-listings'].entries(doc, url);
  assert.equal(entries.length, 3000);
  assert.ok(entries[0].paper.title.length <= 500);
  assert.equal(entries[2999].paper.id, 'arxiv:2401.02999');
});
