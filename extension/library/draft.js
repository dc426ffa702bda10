/* The library page's "Related work for a draft" view: a draft's title, abstract and bibliography
 * (pasted, or loaded from a .bib file) → the corpus papers most related to the draft that the
 * bibliography lacks, each with the draft's and the paper's sentences that match best. Uses the
 * page's send, toast, showConnect (library.js) and saveResult (recommended.js), called only once
 * the page runs. Test contract: #draft[data-state="idle|loading|ready|error|disconnected"], rows
 * #draftList > li[data-paper-id] with .draft-sentence q and .paper-sentence q. */
'use strict';

// The server takes a 4 MB body: a bibliography of 3 MB leaves room for the draft and JSON's escapes.
const BIB_MAX_BYTES = 3 * 1024 * 1024;
const ID_MAX = 320; // the server's ids are a prefix and at most 300 characters
const ID_PREFIX = /^(arxiv|doi|title):/i;

/* BibTeX (any '@') goes to the server as text, which reads the entries and says which it could
 * not. Anything else is a list of ids, one per line (or separated by commas or spaces): ids with
 * their prefix as they are, bare arXiv ids and DOIs, or their links, read by paper.js's readers. */
function readBibliography(text) {
  if (text.includes('@')) return { bibliography: text, unread: [] };
  const P = globalThis.PaperlensPaper;
  const ids = [];
  const unread = [];
  for (const word of text.split(/[\s,;]+/)) {
    if (!word) continue;
    // Length first: a long word is no id, and the readers need not look at it.
    const prefixed = word.length <= ID_MAX && ID_PREFIX.test(word) ? word.replace(ID_PREFIX, (p) => p.toLowerCase()) : '';
    const doi = !prefixed && word.length <= ID_MAX ? P.doi(word) : '';
    const arxiv = !prefixed && !doi && word.length <= ID_MAX ? P.arxivId(word) : '';
    const id = prefixed || (doi && `doi:${doi}`) || (arxiv && `arxiv:${arxiv}`);
    if (id) ids.push(id);
    else unread.push(word);
  }
  return { bibliography: ids, unread };
}

function byteLength(text) {
  return new Blob([text]).size;
}

const megabytes = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

function setDraftState(value) {
  $('draft').setAttribute('data-state', value);
}

function sayDraft(text) {
  $('draftStatus').textContent = clip(String(text || ''), 400);
}

/* ---------- the bibliography from a file ---------- */

async function loadBibFile() {
  const file = $('bibFile').files[0];
  if (!file) return;
  $('bibFile').value = ''; // the same file again is a new choice
  if (file.size > BIB_MAX_BYTES) {
    $('bibFileState').textContent = `${clip(file.name, 80)} is ${megabytes(file.size)}: at most ${megabytes(BIB_MAX_BYTES)}.`;
    return;
  }
  try {
    $('draftBib').value = await file.text();
  } catch (_) {
    $('bibFileState').textContent = `Could not read ${clip(file.name, 80)}.`;
    return;
  }
  $('bibFileState').textContent = `Loaded ${clip(file.name, 80)} (${Math.max(1, Math.round(file.size / 1024))} KB).`;
}

/* ---------- asking the server ---------- */

let draftSeq = 0;

async function findMissing(e) {
  if (e) e.preventDefault();
  const title = $('draftTitle').value.trim();
  const abstract = $('draftAbstract').value.trim();
  if (!title && !abstract) {
    sayDraft("Paste your draft's title and abstract first.");
    $('draftTitle').focus();
    return;
  }
  const text = $('draftBib').value;
  const size = byteLength(text);
  if (size > BIB_MAX_BYTES) {
    sayDraft(`The bibliography is ${megabytes(size)}: at most ${megabytes(BIB_MAX_BYTES)}.`);
    return;
  }
  const { bibliography, unread } = readBibliography(text);
  if (unread.length && !bibliography.length) {
    sayDraft('Nothing in the bibliography reads as BibTeX or as paper ids (arXiv ids, DOIs).');
    return;
  }
  const seq = ++draftSeq;
  setDraftState('loading');
  sayDraft('Looking for related work the bibliography lacks…');
  $('draftFind').disabled = true;
  const reply = await send({ type: 'draft:missing', title, abstract, bibliography, k: Number($('draftK').value) || 20 });
  if (seq !== draftSeq) return;
  $('draftFind').disabled = false;
  if (!reply.ok) {
    $('draftList').replaceChildren();
    $('draftCited').textContent = '';
    if (reply.error === 'unauthorized') {
      setDraftState('disconnected');
      showConnect(reply.message);
      sayDraft('Connect Paperlens to your server (above) to find related work for a draft.');
      return;
    }
    setDraftState('error');
    sayDraft(reply.message);
    return;
  }
  showMissing(reply.data, unread);
}

function showMissing({ results, bibliography: cited, query }, unread) {
  $('draftList').replaceChildren(...results.map((r) => resultRow(r, { save: saveResult }, [matchedSentences(r)])));
  if (results.length) sayDraft(`${results.length} related paper${results.length === 1 ? '' : 's'} the bibliography lacks, most related first.`);
  else if (!query.terms) sayDraft("None of the draft's words occur in your corpus.");
  else sayDraft('Your corpus has nothing related to the draft that the bibliography lacks.');
  $('draftCited').textContent = citedLine(cited, unread);
  setDraftState('ready');
}

// The draft's sentence and the paper's that match best: why the paper belongs in the related work.
function matchedSentences(r) {
  const box = el('div', { class: 'match' });
  if (r.draft_sentence) {
    box.append(el('p', { class: 'draft-sentence' }, el('span', { class: 'who', text: 'Your draft' }),
      el('q', { text: clip(r.draft_sentence, 600) })));
  }
  if (r.paper_sentence) {
    box.append(el('p', { class: 'paper-sentence' }, el('span', { class: 'who', text: 'The paper' }),
      el('q', { text: clip(r.paper_sentence, 600) })));
  }
  return box;
}

function citedLine(cited, unread) {
  const parts = [];
  if (cited.entries) {
    parts.push(`Your bibliography: ${cited.entries} entr${cited.entries === 1 ? 'y' : 'ies'}, `
      + `${cited.in_corpus} of them in your corpus (left out).`);
  }
  if (cited.skipped_total) {
    const shown = cited.skipped.slice(0, 5).map((s) => `${clip(String(s.position || ''), 20)} (${clip(String(s.reason || ''), 80)})`);
    parts.push(`${cited.skipped_total} entr${cited.skipped_total === 1 ? 'y names' : 'ies name'} no paper: ${shown.join(', ')}`
      + `${cited.skipped_total > shown.length ? ', …' : ''}.`);
  }
  if (unread.length) {
    parts.push(`Not read as paper ids: ${unread.slice(0, 5).map((w) => clip(w, 40)).join(', ')}${unread.length > 5 ? ', …' : ''}.`);
  }
  return parts.join(' ');
}

// Shown again (or connected since): a "connect first" line no longer holds.
function showDraft() {
  if ($('draft').getAttribute('data-state') !== 'disconnected') return;
  setDraftState('idle');
  sayDraft('');
}

function setUpDraftView() {
  $('draftForm').addEventListener('submit', findMissing);
  $('bibFile').addEventListener('change', loadBibFile);
  // Ctrl+Enter in a text box asks, as in most editors' forms.
  $('draftForm').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target.matches('textarea, input')) findMissing(e);
  });
}
