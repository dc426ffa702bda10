/* Each site adapter turns its site's page into the one paper shape; none claims another's page. */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { sites, fixture, page } = require('./helpers.js');

const SHAPE = ['id', 'ids', 'title', 'abstract', 'authors', 'date', 'url'];

function assertShape(p) {
  assert.ok(p, 'a paper was extracted');
  assert.deepEqual(Object.keys(p).sort(), [...SHAPE].sort());
  assert.equal(typeof p.title, 'string');
  assert.ok(Array.isArray(p.authors));
}

const CASES = [
  { site: 'arxiv', file: 'arxiv.org/abs/1706.03762.html', url: 'https://arxiv.org/abs/1706.03762',
    id: 'arxiv:1706.03762', title: 'Attention Is All You Need', abstractStart: 'The dominant sequence transduction',
    firstAuthor: 'Ashish Vaswani', date: '2017-06-12', paperUrl: 'https://arxiv.org/abs/1706.03762' },
  { site: 'arxiv', file: 'arxiv.org/abs/2006.11239v2.html', url: 'https://arxiv.org/abs/2006.11239v2',
    id: 'arxiv:2006.11239', title: 'Denoising Diffusion Probabilistic Models',
    abstractStart: 'We present high quality image synthesis', firstAuthor: 'Jonathan Ho', date: '2020-06-19' },
  { site: 'arxiv', file: 'arxiv.org/html/2112.10752v2.html', url: 'https://arxiv.org/html/2112.10752v2',
    id: 'arxiv:2112.10752', title: 'High-Resolution Image Synthesis with Latent Diffusion Models',
    abstractStart: 'By decomposing the image formation', firstAuthor: 'Robin Rombach',
    authors: ['Robin Rombach', 'Andreas Blattmann', 'Dominik Lorenz', 'Patrick Esser', 'Björn Ommer'],
    paperUrl: 'https://arxiv.org/abs/2112.10752', fullText: true },
  { site: 'arxiv', file: 'arxiv.org/html/2112.10752v2.html', url: 'https://arxiv.org/html/2112.10752',
    id: 'arxiv:2112.10752', title: 'High-Resolution Image Synthesis with Latent Diffusion Models',
    abstractStart: 'By decomposing the image formation', firstAuthor: 'Robin Rombach', fullText: true },
  { site: 'arxiv', file: 'ar5iv.labs.arxiv.org/html/1706.03762.html', url: 'https://ar5iv.labs.arxiv.org/html/1706.03762',
    id: 'arxiv:1706.03762', title: 'Attention Is All You Need', abstractStart: 'The dominant sequence transduction',
    firstAuthor: 'Ashish Vaswani', paperUrl: 'https://arxiv.org/abs/1706.03762', fullText: true,
    authors: ['Ashish Vaswani', 'Noam Shazeer', 'Niki Parmar', 'Jakob Uszkoreit', 'Llion Jones', 'Aidan N. Gomez',
      'Łukasz Kaiser', 'Illia Polosukhin'] },
  // ar5iv.org/abs/<id> redirects to the labs page; the adapter reads either address.
  { site: 'arxiv', file: 'ar5iv.labs.arxiv.org/html/1706.03762.html', url: 'https://ar5iv.org/abs/1706.03762',
    id: 'arxiv:1706.03762', title: 'Attention Is All You Need', abstractStart: 'The dominant sequence transduction',
    firstAuthor: 'Ashish Vaswani', fullText: true },
  { site: 'huggingface', file: 'huggingface.co/papers/2305.18290.html', url: 'https://huggingface.co/papers/2305.18290',
    id: 'arxiv:2305.18290', title: 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model',
    abstractStart: 'While large-scale unsupervised language models', firstAuthor: 'Rafael Rafailov', date: '2023-05-29' },
  { site: 'openreview', file: 'openreview.net/forum@id=PxTIG12RRHS.html', url: 'https://openreview.net/forum?id=PxTIG12RRHS',
    id: 'openreview:PxTIG12RRHS', title: 'Score-Based Generative Modeling through Stochastic Differential Equations',
    abstractStart: 'Creating noise from data is easy', firstAuthor: 'Yang Song', date: '2021-01-12' },
  { site: 'acl', file: 'aclanthology.org/N19-1423/index.html', url: 'https://aclanthology.org/N19-1423/',
    id: 'doi:10.18653/v1/n19-1423', title: 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding',
    abstractStart: 'We introduce a new language representation model', firstAuthor: 'Jacob Devlin', date: '2019-06' },
  { site: 'semanticscholar',
    file: 'www.semanticscholar.org/paper/Denoising-Diffusion-Probabilistic-Models-Ho-Jain/5c126ae3421f05768d8edd97ecd44b1364e2c99a.html',
    url: 'https://www.semanticscholar.org/paper/Denoising-Diffusion-Probabilistic-Models-Ho-Jain/5c126ae3421f05768d8edd97ecd44b1364e2c99a',
    id: 'arxiv:2006.11239', title: 'Denoising Diffusion Probabilistic Models',
    abstractStart: 'We present high quality image synthesis', firstAuthor: 'Jonathan Ho', date: '2020-06-19' },
  { site: 'biorxiv', file: 'www.biorxiv.org/content/10.1101/2022.12.09.519842v1.html',
    url: 'https://www.biorxiv.org/content/10.1101/2022.12.09.519842v1',
    id: 'doi:10.1101/2022.12.09.519842', title: 'Illuminating protein space with a programmable generative model',
    abstractStart: 'Three billion years of evolution', firstAuthor: 'John Ingraham', date: '2022-12-10',
    paperUrl: 'https://www.biorxiv.org/content/10.1101/2022.12.09.519842' },
  { site: 'biorxiv', file: 'www.medrxiv.org/content/10.1101/2023.04.03.23287909v1.full.html',
    url: 'https://www.medrxiv.org/content/10.1101/2023.04.03.23287909v1.full',
    id: 'doi:10.1101/2023.04.03.23287909', title: 'Large language models for clinical question answering: an evaluation of reasoning and hallucination',
    abstractStart: 'Large language models have shown', firstAuthor: 'Jane Doe', date: '2023-04-05' },
];

for (const c of CASES) {
  test(`${c.site} reads ${c.file}`, () => {
    const { doc, url } = fixture(c.file, c.url);
    assert.equal(sites[c.site].detect(doc, url), true);
    const p = sites[c.site].extract(doc, url);
    assertShape(p);
    assert.equal(p.id, c.id);
    assert.equal(p.title, c.title);
    assert.ok(p.abstract.startsWith(c.abstractStart), p.abstract.slice(0, 80));
    assert.ok(!/[<>]/.test(p.abstract), 'no markup left in the abstract');
    assert.ok(!/^Abstract/.test(p.abstract), 'the "Abstract:" label is dropped');
    assert.equal(p.authors[0], c.firstAuthor);
    if (c.date) assert.equal(p.date, c.date);
    if (c.paperUrl) assert.equal(p.url, c.paperUrl);
    if (c.authors) assert.deepEqual(p.authors, c.authors);
    assert.match(p.url, /^https:\/\//);
    assert.equal(!!(sites[c.site].fullText && sites[c.site].fullText(doc, url)), !!c.fullText, 'full-text page or not');
  });

  test(`only the ${c.site} adapter (and the generic fallback) claims ${c.file}`, () => {
    const { doc, url } = fixture(c.file, c.url);
    for (const [name, adapter] of Object.entries(sites)) {
      if (name === c.site || name === 'generic') continue;
      assert.equal(adapter.detect(doc, url), false, `${name} must not claim it`);
    }
  });
}

test('arXiv pages without citation_abstract or an abstract block fall back to og:description', () => {
  const { doc, url } = page(`<html><head>
    <meta property="og:title" content="Old Paper">
    <meta property="og:description" content="An abstract from Open Graph.">
    </head><body><h1 class="title mathjax"><span class="descriptor">Title:</span>Old Paper</h1></body></html>`,
  'http://arxiv.org/abs/hep-th/9901001v3');
  const p = sites.arxiv.extract(doc, url);
  assert.equal(p.id, 'arxiv:hep-th/9901001');
  assert.equal(p.title, 'Old Paper');
  assert.equal(p.abstract, 'An abstract from Open Graph.');
});

test('the arXiv abstract page in its 2025 layout (saved from the site) reads every field', () => {
  const { doc, url } = fixture('arxiv.org/abs/1706.03762.html', 'https://arxiv.org/abs/1706.03762');
  const p = sites.arxiv.extract(doc, url);
  assert.equal(p.authors.length, 8);
  assert.equal(p.authors[6], 'Lukasz Kaiser');
  assert.ok(p.abstract.endsWith('with large and limited training data.'));
});

test('arXiv listing pages are not papers', () => {
  const { doc } = page('<html><body></body></html>', 'https://arxiv.org/list/cs.LG/recent');
  assert.equal(sites.arxiv.detect(doc, new URL('https://arxiv.org/list/cs.LG/recent')), false);
});

test('Semantic Scholar titles lose the site suffix when only Open Graph is there', () => {
  const { doc, url } = page(`<html><head><title>[PDF] Some Paper | Semantic Scholar</title>
    <meta property="og:title" content="[PDF] Some Paper | Semantic Scholar">
    <meta property="og:description" content="Short description."></head><body></body></html>`,
  'https://www.semanticscholar.org/paper/abc/0123456789abcdef0123456789abcdef01234567');
  const p = sites.semanticscholar.extract(doc, url);
  assert.equal(p.title, 'Some Paper');
  assert.equal(p.id, 's2:0123456789abcdef0123456789abcdef01234567');
});

test('Hugging Face pages without the hydration data read the heading and the Abstract section', () => {
  const { doc, url } = page(`<html><head><meta property="og:title" content="Paper page - A Title"></head>
    <body><h1>A Title</h1><div><h2>Abstract</h2><p>The abstract text.</p></div></body></html>`,
  'https://huggingface.co/papers/2401.00001');
  const p = sites.huggingface.extract(doc, url);
  assert.equal(p.id, 'arxiv:2401.00001');
  assert.equal(p.title, 'A Title');
  assert.equal(p.abstract, 'The abstract text.');
});

test('the generic adapter reads Highwire tags and ignores a javascript: canonical link', () => {
  const { doc, url } = page(`<html><head>
    <meta name="citation_title" content="A Journal Article">
    <meta name="citation_author" content="Curie, Marie">
    <meta name="citation_publication_date" content="2021/3/7">
    <meta name="citation_doi" content="10.1145/3368089.3409740">
    <meta name="dc.description" content="What the article is about.">
    <link rel="canonical" href="javascript:alert(1)">
    </head><body></body></html>`, 'https://journals.example.org/article/42');
  assert.equal(sites.generic.detect(doc, url), true);
  const p = sites.generic.extract(doc, url);
  assertShape(p);
  assert.equal(p.id, 'doi:10.1145/3368089.3409740');
  assert.equal(p.authors[0], 'Marie Curie');
  assert.equal(p.date, '2021-03-07');
  assert.equal(p.abstract, 'What the article is about.');
  assert.equal(p.url, '');
});

test('the generic adapter does not claim pages without citation_title', () => {
  const { doc, url } = page('<html><head><title>Blog</title></head><body></body></html>', 'https://blog.example.org/');
  assert.equal(sites.generic.detect(doc, url), false);
});

test('a page without a title yields no paper', () => {
  const { doc, url } = fixture('arxiv.org/abs/2401.90008.html', 'http://arxiv.org/abs/2401.90008');
  assert.equal(sites.arxiv.detect(doc, url), true);
  assert.equal(sites.arxiv.extract(doc, url), null);
});

test('markup in a page title is kept as text, never parsed', () => {
  const { doc, url } = fixture('arxiv.org/abs/2401.90001.html', 'http://arxiv.org/abs/2401.90001');
  const p = sites.arxiv.extract(doc, url);
  assert.ok(p.title.startsWith('<img src=x onerror=alert(1)>'));
});
