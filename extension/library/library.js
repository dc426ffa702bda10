/* The library page: every saved paper, searchable, filterable by tag and sortable; tags with
 * autocomplete and multi-line notes saved as you type; remove with undo; bulk tag, remove and
 * export (the Recommended tab is recommended.js, the draft and digest views draft.js and
 * digest.js). The whole list is loaded once and filtered
 * here; every change goes to the server through the background worker.
 * Test contract: <html data-state="loading|ready|disconnected|error" data-load-ms>, rows
 * #list [role=option][data-paper-id][aria-selected], the editor #detail[data-paper-id]. */
'use strict';

const ext = globalThis.browser || globalThis.chrome;
const { el, clip, safeHref } = globalThis.PaperlensDom;
const { send } = globalThis.PaperlensMessages;
const $ = (id) => document.getElementById(id);

const UNDO_MS = 10000;
const state = {
  items: new Map(), // id -> {paper, tags, note, saved_at}, in no particular order
  words: new Map(), // id -> the item's searchable text, casefolded
  loaded: false,
  stale: false, // something was saved elsewhere (recommendations): reload on return
};

const list = new globalThis.PaperlensPaperList($('list'), $('rows'), {
  activate: (item) => showDetail(item),
  open: (item) => { showDetail(item); $('tagInput').focus(); },
  remove: () => removeItems(selectionOrActive()),
  selectionChanged: () => showSelection(),
});

// Another part of the page changed the list on the server (an import from Zotero): load it again.
document.addEventListener('paperlens:list-changed', () => { load(); });

function setPageState(value) {
  document.documentElement.setAttribute('data-state', value);
}

/* ---------- loading ---------- */

const FIRST_ROWS = 100;

async function load() {
  setPageState('loading');
  $('count').textContent = 'Loading…';
  state.loaded = false;
  setEditable(false);
  performance.mark('library:asked');
  const whole = send({ type: 'library:all' });
  // The newest papers from one small request, while the whole list is on its way: at 5,000
  // papers the first rows show in a fraction of the time the whole list takes. Editing waits for
  // the whole list, so nothing typed meanwhile can be overwritten by it.
  send({ type: 'library', sort: 'saved', per_page: FIRST_ROWS }).then((first) => {
    if (!first.ok || state.loaded || state.items.size) return;
    state.items = new Map(first.data.items.map((it) => [it.paper.id, it]));
    applyView();
    $('count').textContent = `${first.data.items.length} of ${first.data.total}, loading the rest…`;
    document.documentElement.dataset.firstRowsMs = String(Math.round(performance.now()));
  });
  const reply = await whole;
  performance.mark('library:answered');
  if (!reply.ok) {
    if (reply.error === 'unauthorized') return showConnect(reply.message);
    setPageState('error');
    $('count').textContent = '';
    return showEmpty(reply.message);
  }
  $('connect').hidden = true;
  state.items = new Map(JSON.parse(reply.data.json).items.map((it) => [it.paper.id, it]));
  state.words.clear();
  state.loaded = true;
  state.stale = false;
  refreshTags();
  shownId = null; // the editor shows the whole list's copy, not the first rows' (notes may have been queued)
  applyView(list.activeItem && list.activeItem.paper.id);
  setEditable(true);
  setPageState('ready');
  if (!document.documentElement.dataset.loadMs) {
    document.documentElement.dataset.loadMs = String(Math.round(performance.now()));
  }
  return undefined;
}

function setEditable(on) {
  for (const id of ['note', 'tagInput']) $(id).disabled = !on;
  for (const button of document.querySelectorAll('#detail button, #bulk button')) button.disabled = !on;
}

function showConnect(message) {
  setPageState('disconnected');
  $('connect').hidden = false;
  $('connectResult').textContent = message && !/^Connect Paperlens/.test(message) ? message : '';
  $('count').textContent = '';
  list.setItems([]);
  showDetail(null);
}

function showEmpty(text) {
  $('empty').hidden = !text;
  $('empty').textContent = text || '';
}

/* ---------- what is shown: search, tag, sort ---------- */

function searchable(item) {
  let text = state.words.get(item.paper.id);
  if (text === undefined) {
    const p = item.paper;
    text = [p.title, p.abstract, (p.authors || []).join(' '), item.note, item.tags.join(' '), p.id, p.year]
      .join('\n').toLocaleLowerCase();
    state.words.set(item.paper.id, text);
  }
  return text;
}

const SORTS = {
  'saved-desc': (a, b) => b.saved_at.localeCompare(a.saved_at),
  'saved-asc': (a, b) => a.saved_at.localeCompare(b.saved_at),
  'title-asc': (a, b) => a.paper.title.localeCompare(b.paper.title, undefined, { sensitivity: 'base' }),
  'year-desc': (a, b) => (b.paper.published || '').localeCompare(a.paper.published || '')
    || b.saved_at.localeCompare(a.saved_at),
};

function applyView(keepId) {
  const words = $('q').value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const tag = $('tag').value;
  const shown = [];
  for (const item of state.items.values()) {
    if (tag && !item.tags.includes(tag)) continue;
    if (words.length) {
      const text = searchable(item);
      if (!words.every((w) => text.includes(w))) continue;
    }
    shown.push(item);
  }
  shown.sort(SORTS[$('sort').value] || SORTS['saved-desc']);
  list.setItems(shown, keepId);
  const total = state.items.size;
  $('count').textContent = shown.length === total ? `${total} saved` : `${shown.length} of ${total}`;
  $('exportScope').options[1].disabled = !tag;
  if (!tag) $('exportScope').value = 'all';
  showEmpty(total === 0 ? 'Nothing saved yet: press Save beside a related paper, or in the Recommended tab.'
    : shown.length === 0 ? 'Nothing matches.' : '');
  if (!list.activeItem && shown.length) list.moveTo(0);
  else showDetail(list.activeItem);
}

function refreshTags() {
  const counts = new Map();
  for (const item of state.items.values()) for (const t of item.tags) counts.set(t, (counts.get(t) || 0) + 1);
  const names = [...counts.keys()].sort((a, b) => a.localeCompare(b));
  const select = $('tag');
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '', text: 'All tags' }),
    ...names.map((t) => el('option', { value: t, text: `${clip(t, 40)} (${counts.get(t)})` })));
  select.value = counts.has(chosen) ? chosen : '';
  $('tagOptions').replaceChildren(...names.map((t) => el('option', { value: t })));
}

let typing = 0;
$('q').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => applyView(), 120); });
$('tag').addEventListener('change', () => applyView());
$('sort').addEventListener('change', () => applyView(list.activeItem && list.activeItem.paper.id));

/* ---------- the editor ---------- */

let shownId = null;
let noteSeq = 0;

function showDetail(item) {
  const box = $('detail');
  box.hidden = !item;
  if (!item) {
    shownId = null;
    box.removeAttribute('data-paper-id');
    return;
  }
  const p = item.paper;
  const changed = shownId !== p.id;
  shownId = p.id;
  box.setAttribute('data-paper-id', p.id);
  const href = safeHref(p.url);
  const title = $('detailTitle');
  title.textContent = clip(p.title || p.id, 500);
  if (href) title.setAttribute('href', href); else title.removeAttribute('href');
  $('detailMeta').textContent = [(p.authors || []).slice(0, 8).join(', '), p.published || p.year, p.id]
    .filter(Boolean).join(' · ');
  $('abstract').textContent = p.abstract || 'No abstract.';
  renderChips(item);
  if (changed) {
    // Never while typing into it: the textarea is the newest text there is.
    $('note').value = item.note || '';
    $('noteState').textContent = '';
    $('similar').replaceChildren();
  }
}

function renderChips(item) {
  $('chips').replaceChildren(...item.tags.map((tag) => el('span', { class: 'chip', 'data-tag': tag },
    el('span', { text: clip(tag, 64) }),
    el('button', { type: 'button', 'data-action': 'remove-tag', 'aria-label': `Remove tag ${clip(tag, 64)}`,
      text: '×', disabled: !state.loaded, onclick: () => changeTags(item, [], [tag]) }))));
}

function updated(entry) {
  // The server's answer is the truth for tags; the note keeps what was typed since.
  const item = state.items.get(entry.paper.id);
  if (!item) return null;
  item.tags = entry.tags;
  state.words.delete(item.paper.id);
  return item;
}

async function changeTags(item, add, remove) {
  const reply = await send({ type: 'library:edit', id: item.paper.id, add_tags: add, remove_tags: remove });
  if (!reply.ok) return toast(reply.message);
  updated(reply.data);
  refreshTags();
  list.render();
  if (shownId === item.paper.id) renderChips(item);
  return undefined;
}

function tagsFrom(text) {
  return text.split(',').map((t) => t.trim().replace(/\s+/g, ' ')).filter(Boolean);
}

$('tagInput').addEventListener('keydown', (e) => {
  const item = state.items.get(shownId);
  if (!item) return;
  if (e.key === 'Enter' || e.key === ',') {
    e.preventDefault();
    const tags = tagsFrom($('tagInput').value).filter((t) => !item.tags.includes(t));
    $('tagInput').value = '';
    if (tags.length) changeTags(item, tags, []);
  } else if (e.key === 'Backspace' && !$('tagInput').value && item.tags.length) {
    changeTags(item, [], [item.tags[item.tags.length - 1]]);
  }
});

$('note').addEventListener('input', async () => {
  const item = state.items.get(shownId);
  if (!item) return;
  item.note = $('note').value;
  state.words.delete(item.paper.id);
  const seq = ++noteSeq;
  $('noteState').textContent = 'Saving…';
  // The worker keeps each keystroke's text until the server has it: closing this tab loses nothing.
  const reply = await send({ type: 'library:note', id: item.paper.id, note: item.note });
  if (seq !== noteSeq) return;
  $('noteState').textContent = reply.ok ? 'Saved' : `Not saved yet: ${reply.message}`;
});

$('detail').addEventListener('click', (e) => {
  const action = e.target.closest('[data-action]');
  const item = state.items.get(shownId);
  if (!action || !item || action.closest('#similar')) return;
  if (action.dataset.action === 'remove') removeItems([item.paper.id]);
  if (action.dataset.action === 'more') showSimilar(item.paper.id, $('similar'), action);
});

/* ---------- remove, with undo ---------- */

function selectionOrActive() {
  if (!state.loaded) return [];
  if (list.selected.size) return [...list.selected];
  return list.activeItem ? [list.activeItem.paper.id] : [];
}

async function removeItems(ids) {
  const removed = ids.map((id) => state.items.get(id)).filter(Boolean);
  if (!removed.length) return;
  const next = list.items[list.active + 1] || list.items[list.active - 1];
  for (const item of removed) state.items.delete(item.paper.id);
  list.selected.clear();
  refreshTags();
  applyView(next && next.paper.id);
  const reply = await send({ type: 'library:remove', ids: removed.map((it) => it.paper.id) });
  const label = removed.length === 1 ? `Removed “${clip(removed[0].paper.title, 60)}”.` : `Removed ${removed.length} papers.`;
  if (!reply.ok) {
    for (const item of removed) state.items.set(item.paper.id, item);
    refreshTags();
    applyView();
    return toast(reply.message);
  }
  toast(label, async () => {
    const back = await send({ type: 'library:restore', items: removed.map(({ paper, tags, note, saved_at: at }) => ({ paper, tags, note, saved_at: at })) });
    if (!back.ok) return toast(back.message);
    for (const item of removed) state.items.set(item.paper.id, item);
    refreshTags();
    applyView(removed[0].paper.id);
    return toast(removed.length === 1 ? 'Restored.' : `Restored ${removed.length} papers.`);
  });
  return undefined;
}

/* ---------- bulk ---------- */

function showSelection() {
  const n = list.selected.size;
  $('bulk').hidden = n === 0;
  $('selected').textContent = n ? `${n} selected` : '';
}

async function bulkTag(add) {
  const tags = tagsFrom($('bulkTag').value);
  if (!tags.length) return $('bulkTag').focus();
  const ids = [...list.selected];
  const reply = await send({ type: 'library:tag', ids, add_tags: add ? tags : [], remove_tags: add ? [] : tags });
  if (!reply.ok) return toast(reply.message);
  for (const entry of reply.data.items) updated(entry);
  refreshTags();
  applyView(list.activeItem && list.activeItem.paper.id);
  $('bulkTag').value = '';
  return toast(`${add ? 'Tagged' : 'Untagged'} ${reply.data.items.length} papers.`);
}

$('bulk').addEventListener('click', (e) => {
  const button = e.target.closest('button');
  if (!button) return;
  if (button.dataset.bulkExport) exportAs(button.dataset.bulkExport, { ids: [...list.selected] });
  else if (button.dataset.action === 'bulk-tag') bulkTag(true);
  else if (button.dataset.action === 'bulk-untag') bulkTag(false);
  else if (button.dataset.action === 'bulk-remove') removeItems([...list.selected]);
  else if (button.dataset.action === 'bulk-clear') list.clearSelection();
});

/* ---------- export ---------- */

const FILE = { bibtex: ['bib', 'application/x-bibtex'], csv: ['csv', 'text/csv'], json: ['json', 'application/json'] };

async function exportAs(format, scope) {
  const reply = await send({ type: 'export', format, ...scope });
  if (!reply.ok) return toast(reply.message);
  const name = `paperlens-${scope.tag ? `${scope.tag.replace(/[^\w.-]+/g, '_')}-` : scope.ids ? 'selection-' : ''}library.${FILE[format][0]}`;
  const url = URL.createObjectURL(new Blob([reply.data.text], { type: FILE[format][1] }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return toast(`Exported ${format === 'bibtex' ? 'BibTeX' : format.toUpperCase()}.`);
}

for (const button of document.querySelectorAll('[data-export]')) {
  button.addEventListener('click', () => exportAs(button.dataset.export,
    $('exportScope').value === 'tag' && $('tag').value ? { tag: $('tag').value } : {}));
}

/* ---------- tabs, toast, keyboard, connection ---------- */

const tabs = [...document.querySelectorAll('[role="tab"]')];
const VIEWS = tabs.map((tab) => tab.getAttribute('aria-controls'));

function currentView() {
  const tab = tabs.find((t) => t.getAttribute('aria-selected') === 'true');
  return tab ? tab.getAttribute('aria-controls') : 'saved';
}

function showTab(name) {
  for (const tab of tabs) {
    const on = tab.getAttribute('aria-controls') === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !on;
  }
  // The address names the view, so a reload (or the popup's link, library.html#draft) opens it.
  history.replaceState(null, '', name === 'saved' ? location.pathname : `#${name}`);
  if (name === 'recs') loadRecommendations();
  if (name === 'draft') showDraft();
  if (name === 'digest') showDigest();
  if (name === 'saved' && state.stale) load();
}

const TAB_KEYS = { ArrowLeft: -1, ArrowRight: 1 };
for (const [index, tab] of tabs.entries()) {
  tab.addEventListener('click', () => showTab(tab.getAttribute('aria-controls')));
  tab.addEventListener('keydown', (e) => {
    let next = -1;
    if (e.key in TAB_KEYS) next = (index + TAB_KEYS[e.key] + tabs.length) % tabs.length;
    else if (e.key === 'Home' || e.key === 'End') next = e.key === 'Home' ? 0 : tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    tabs[next].focus();
    showTab(tabs[next].getAttribute('aria-controls'));
  });
}

let toastTimer = 0;
let undoAction = null;
function toast(text, undo) {
  clearTimeout(toastTimer);
  $('toastText').textContent = clip(String(text || ''), 300);
  undoAction = undo || null;
  $('toast').querySelector('[data-action="undo"]').hidden = !undo;
  $('toast').hidden = false;
  toastTimer = setTimeout(() => { $('toast').hidden = true; undoAction = null; }, undo ? UNDO_MS : 4000);
}
$('toast').querySelector('[data-action="undo"]').addEventListener('click', () => {
  const action = undoAction;
  undoAction = null;
  $('toast').hidden = true;
  if (action) action();
});

document.addEventListener('keydown', (e) => {
  const typingInField = e.target.closest && e.target.closest('input, textarea, select');
  if (e.key === '/' && !typingInField && currentView() === 'saved') {
    e.preventDefault();
    $('q').focus();
  } else if (e.key === 'Escape' && e.target === $('q')) {
    $('list').focus();
  } else if ((e.key === 'z' || e.key === 'Z') && (e.ctrlKey || e.metaKey) && !typingInField && undoAction) {
    e.preventDefault();
    $('toast').querySelector('[data-action="undo"]').click();
  }
});

$('codeForm').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('connectResult').textContent = 'Connecting…';
  const reply = await send({ type: 'connect:code', code: $('code').value });
  if (!reply.ok) {
    $('connectResult').textContent = reply.message;
    return;
  }
  $('code').value = '';
  load();
});
$('options').addEventListener('click', () => ext.runtime.openOptionsPage());

// Connected (or switched server) from another tab: show that server's list, and the open view's.
ext.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local' || !(changes.token || changes.serverUrl)) return;
  load();
  if (currentView() !== 'saved') showTab(currentView());
});

// library.html#draft (the popup's link, a bookmark) opens that view.
function showAskedView() {
  const asked = location.hash.slice(1);
  if (VIEWS.includes(asked) && asked !== currentView()) showTab(asked);
}
window.addEventListener('hashchange', showAskedView);

setUpDraftView();
setUpDigestView();
load();
showAskedView();
