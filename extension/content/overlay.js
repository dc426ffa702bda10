/* The Paperlens panel: a Shadow DOM side panel the page cannot restyle or script into. On a
 * paper page it lists related papers; on a listing page it sums up the listing and sorts or
 * highlights it. Every piece of text from the page or the server is set with textContent; links
 * are created only for http(s) URLs. Test contract: host
 * #paperlens-root[data-state][data-mode][data-paper-id][data-error], rows [data-paper-id], save
 * toggles [data-action="save"][aria-pressed]; see docs/extension.md. */
(function (root) {
  'use strict';

  const MAX_ROW_TITLE = 300;
  const MAX_TLDR = 600;
  const MAX_SENTENCE = 400;
  const MAX_TERMS = 8;

  const CSS = `
    :host { all: initial; position: fixed; top: 12px; right: 12px; z-index: 2147483647;
      font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color-scheme: light dark; }
    * { box-sizing: border-box; }
    .panel { --bg: #ffffff; --fg: #1d1d1f; --muted: #5f6368; --line: #dadce0; --accent: #1a5fb4;
      --bar: #c6d7f2; --saved: #2e7d32;
      width: 380px; max-height: calc(100vh - 24px); display: flex; flex-direction: column;
      background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 10px;
      box-shadow: 0 6px 24px rgba(0,0,0,.18); overflow: hidden; }
    @media (prefers-color-scheme: dark) {
      .panel { --bg: #202124; --fg: #e8eaed; --muted: #9aa0a6; --line: #3c4043; --accent: #8ab4f8;
        --bar: #2d4a7a; --saved: #81c995; }
    }
    .panel.collapsed { width: auto; }
    :host([data-placement="docked"]) { top: 0; right: 0; bottom: 0; }
    :host([data-placement="docked"]) .panel { width: 340px; height: 100vh; max-height: 100vh; border-radius: 0;
      border-width: 0 0 0 1px; box-shadow: none; }
    :host([data-placement="docked"]) .panel.collapsed { width: auto; }
    :host([data-placement="docked"]) .panel.collapsed header { writing-mode: vertical-rl; padding: 10px 6px; }
    .notice { padding: 6px 10px; border-bottom: 1px solid var(--line); }
    .notice:empty { display: none; }
    .panel.collapsed .notice { display: none; }
    .panel.collapsed .body, .panel.collapsed .own, .panel.collapsed footer { display: none; }
    footer { padding: 6px 10px; border-top: 1px solid var(--line); font-size: 12px; }
    header { display: flex; align-items: center; gap: 8px; padding: 8px 10px; border-bottom: 1px solid var(--line); }
    .panel.collapsed header { border-bottom: 0; }
    .brand { font-weight: 600; flex: 1; }
    button { font: inherit; color: inherit; background: transparent; border: 1px solid var(--line);
      border-radius: 6px; padding: 2px 8px; cursor: pointer; }
    button:focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
    button[aria-pressed="true"] { border-color: var(--saved); color: var(--saved); }
    button[disabled] { opacity: .5; cursor: default; }
    button[aria-busy="true"] { opacity: .7; cursor: progress; }
    .link { border: 0; padding: 0; color: var(--accent); text-decoration: underline; }
    .own { display: flex; align-items: center; gap: 8px; padding: 6px 10px; border-bottom: 1px solid var(--line);
      color: var(--muted); }
    .own:empty { display: none; }
    .own .label { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .body { overflow-y: auto; padding: 4px 0; }
    .status { padding: 10px; }
    ol { list-style: none; margin: 0; padding: 0; }
    li { padding: 8px 10px; border-bottom: 1px solid var(--line); }
    li:last-child { border-bottom: 0; }
    .row-head { display: flex; gap: 8px; align-items: flex-start; }
    .title { flex: 1; font-weight: 600; color: var(--fg); overflow-wrap: anywhere; }
    a.title { color: var(--accent); text-decoration: none; }
    a.title:hover { text-decoration: underline; }
    .meta { display: flex; align-items: center; gap: 8px; margin-top: 3px; color: var(--muted); font-size: 12px; }
    .bar { flex: 0 0 80px; height: 6px; border-radius: 3px; background: var(--line); overflow: hidden; }
    .fill { display: block; height: 100%; background: var(--accent); width: 0; }
    .terms { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
    .term { background: var(--bar); border-radius: 4px; padding: 0 5px; font-size: 11px; }
    .meaning { white-space: nowrap; }
    .tldr { margin: 4px 0 0; overflow-wrap: anywhere; }
    .more { margin-top: 2px; font-size: 12px; }
    .sentences { margin: 4px 0 0; padding-left: 16px; color: var(--muted); }
    .sentences[hidden] { display: none; }
    .sentences li { padding: 0; border: 0; }
    .controls { display: flex; flex-wrap: wrap; gap: 6px; padding: 6px 10px; }
    .sub { margin: 4px 10px 0; font-size: 12px; font-weight: 600; color: var(--muted); }
    .top li { display: flex; gap: 8px; align-items: baseline; padding: 5px 10px; }
    .top .title { font-weight: 400; text-align: left; }
    .top .pts { color: var(--muted); font-variant-numeric: tabular-nums; }
  `;

  const { el, clip, linkOrText } = root.PaperlensDom;
  // Below this closeness the panel says nothing in the corpus is close: a typical related pair is 50, and on
  // a 3,000-paper arXiv cs corpus the best hit of its own papers is 47-64 (10th-90th percentile), of
  // biomedical abstracts 36-50 (tests/unit/test_closeness.py).
  const FAR = 42;

  function attachStyles(shadow) {
    // A constructed stylesheet is not an inline style, so strict page CSPs do not block it.
    // Firefox content scripts cannot always adopt one; a <style> made by an extension content
    // script is exempt from the page CSP there.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
      return;
    } catch (_) { /* fall through */ }
    shadow.append(el('style', { text: CSS }));
  }

  class Overlay {
    constructor({ onSave, onCollapse, onOptions, onConnect, onLibrary, onRelatedView, inspectable = false }) {
      this.onSave = onSave;
      this.onRelatedView = onRelatedView;
      this.onCollapse = onCollapse;
      this.onOptions = onOptions;
      this.onConnect = onConnect;
      this.onLibrary = onLibrary;
      this.docked = false;
      this.pageMargin = null; // the page's own inline margin-right, restored when undocking
      this.host = el('div', { id: 'paperlens-root' });
      // Closed: the page cannot read what your corpus holds from the panel drawn on it. The
      // developer switch `inspectableOverlay` (storage only, no UI) opens it for automation.
      this.shadow = this.host.attachShadow({ mode: inspectable ? 'open' : 'closed' });
      attachStyles(this.shadow);
      this.toggle = el('button', { type: 'button', 'aria-expanded': 'true', 'aria-controls': 'pl-body',
        title: 'Collapse or expand (Esc collapses)', onclick: () => this.setCollapsed(!this.collapsed, true) });
      this.brand = el('span', { class: 'brand', text: 'Paperlens' });
      this.notice = el('div', { class: 'notice', role: 'status' });
      this.ownSlot = el('div', { class: 'own' });
      this.body = el('div', { class: 'body', id: 'pl-body', role: 'region', 'aria-live': 'polite',
        'aria-label': 'Related papers' });
      this.panel = el('section', { class: 'panel', 'aria-label': 'Paperlens related papers' },
        el('header', null, this.brand, this.toggle),
        this.notice, this.ownSlot, this.body,
        el('footer', null, el('button', { type: 'button', class: 'link', 'data-action': 'library',
          text: 'Open your library', onclick: () => this.onLibrary() })));
      this.panel.addEventListener('keydown', (e) => {
        if (e.key === 'Escape' && !this.collapsed) {
          e.stopPropagation();
          this.setCollapsed(true, true);
          this.toggle.focus();
        }
      });
      this.shadow.append(this.panel);
      this.setCollapsed(false, false);
    }

    mount() {
      if (this.host.isConnected) return;
      // documentElement, not body: pages that swap their <body> on navigation keep us.
      (document.documentElement || document).append(this.host);
      this.fitPage();
    }

    unmount() {
      this.host.remove();
      this.setDocked(false);
    }

    /* On full-text pages the panel is a sidebar and the page gives it room (a right margin on
     * <html>, set through CSSOM so no page CSP blocks it), so it never covers the text. */
    setDocked(docked) {
      this.docked = docked;
      this.host.setAttribute('data-placement', docked ? 'docked' : 'floating');
      if (docked && !this.resizeWatch) {
        this.resizeWatch = new ResizeObserver(() => this.fitPage());
        this.resizeWatch.observe(this.panel);
      }
      this.fitPage();
    }

    fitPage() {
      const style = document.documentElement && document.documentElement.style;
      if (!style) return;
      if (this.docked && this.host.isConnected) {
        if (this.pageMargin === null) {
          this.pageMargin = [style.getPropertyValue('margin-right'), style.getPropertyPriority('margin-right')];
        }
        style.setProperty('margin-right', `${Math.ceil(this.panel.getBoundingClientRect().width)}px`, 'important');
      } else if (this.pageMargin !== null) {
        style.setProperty('margin-right', this.pageMargin[0], this.pageMargin[1]);
        this.pageMargin = null;
      }
    }

    setCollapsed(collapsed, byUser) {
      this.collapsed = collapsed;
      this.panel.classList.toggle('collapsed', collapsed);
      this.toggle.setAttribute('aria-expanded', String(!collapsed));
      this.toggle.textContent = collapsed ? 'Show' : 'Hide';
      this.host.setAttribute('data-collapsed', String(collapsed));
      if (byUser && this.onCollapse) this.onCollapse(collapsed);
    }

    setState(state, paperId, error, mode = 'paper') {
      this.host.setAttribute('data-state', state);
      this.host.setAttribute('data-mode', mode);
      // Each view sets its own attributes afresh (a paper's sort and since, a listing's summary).
      for (const name of ['data-listing', 'data-cards', 'data-sort', 'data-since', 'data-highlight']) {
        this.host.removeAttribute(name);
      }
      if (paperId) this.host.setAttribute('data-paper-id', paperId);
      else this.host.removeAttribute('data-paper-id');
      if (error) this.host.setAttribute('data-error', error);
      else this.host.removeAttribute('data-error');
    }

    saveButton(id, saved, disabledReason, payload) {
      const button = el('button', { type: 'button', 'data-action': 'save', 'data-paper-id': id || '',
        'aria-pressed': String(!!saved), title: disabledReason || 'Save to your reading list' });
      const label = () => { button.textContent = button.getAttribute('aria-pressed') === 'true' ? 'Saved' : 'Save'; };
      label();
      if (disabledReason) button.disabled = true;
      button.addEventListener('click', async () => {
        // Busy, not disabled: a disabled button drops keyboard focus mid-save.
        if (button.getAttribute('aria-busy') === 'true' || button.disabled) return;
        const want = button.getAttribute('aria-pressed') !== 'true';
        button.setAttribute('aria-busy', 'true');
        const ok = await this.onSave(id, want, payload);
        button.removeAttribute('aria-busy');
        if (ok) button.setAttribute('aria-pressed', String(want));
        label();
      });
      return button;
    }

    // Saving needs the extension connected to the server; reading does not. Offered in place,
    // but the code is typed on the extension's own page: keystrokes on this page reach its scripts.
    offerConnect(message) {
      this.notice.replaceChildren(
        el('span', { text: `${clip(message || 'Connect Paperlens to your server to save papers.', 300)} ` }),
        el('button', { type: 'button', class: 'link', 'data-action': 'connect', text: 'Connect Paperlens',
          onclick: () => this.onConnect() }));
      if (this.collapsed) this.setCollapsed(false, false);
    }

    setCount(n, what = 'related') {
      this.brand.textContent = n ? `Paperlens · ${n} ${what}` : 'Paperlens';
    }

    // One line above the list, for what just went wrong (a save the server refused).
    notify(message) {
      this.notice.replaceChildren(el('span', { text: clip(message, 300) }));
    }

    toggleButton(action, label, pressed, onChange, disabledReason) {
      const button = el('button', { type: 'button', 'data-action': action, 'aria-pressed': String(!!pressed),
        text: label, title: disabledReason || undefined });
      if (disabledReason) button.disabled = true;
      button.addEventListener('click', () => onChange(button.getAttribute('aria-pressed') !== 'true'));
      return button;
    }

    showLoading(paper) {
      this.setState('loading', paper && paper.id);
      this.setCount(0);
      this.notice.replaceChildren();
      this.ownSlot.replaceChildren();
      this.body.replaceChildren(el('div', { class: 'status', text: 'Finding related papers…' }));
    }

    showError(code, message, paperId) {
      this.setState('error', paperId, code);
      this.setCount(0);
      this.notice.replaceChildren();
      this.ownSlot.replaceChildren();
      const status = el('div', { class: 'status', role: 'status' },
        el('span', { text: `${clip(message, 300)} ` }));
      if (code === 'unauthorized') {
        status.append(el('button', { type: 'button', class: 'link', 'data-action': 'connect',
          text: 'Connect Paperlens', onclick: () => this.onConnect() }));
      } else if (code !== 'no-results' && code !== 'extension') {
        status.append(el('button', { type: 'button', class: 'link', text: 'Open Paperlens options',
          onclick: () => this.onOptions() }));
      }
      this.body.replaceChildren(status);
    }

    showResults(paper, data) {
      const ownId = (data.query && data.query.id) || paper.id;
      this.setState('ready', paper.id || ownId);
      this.setCount(data.results.length);
      this.notice.replaceChildren();
      this.ownSlot.replaceChildren(
        el('span', { class: 'label', text: `This paper: ${clip(paper.title, 120)}` }),
        this.saveButton(ownId, data.query && data.query.saved,
          data.query && data.query.saveable ? '' : 'No arXiv id or DOI on this page: it cannot be saved yet',
          paper));
      // Newest first lists the same kind of papers by date, so bars compare with the best score.
      const top = Math.max(0, ...data.results.map((r) => Number(r.score) || 0)) || 1;
      const closest = Math.max(-1, ...data.results.map((r) => (typeof r.closeness === 'number' ? r.closeness : -1)));
      if (data.results.length && closest >= 0 && closest < FAR) {
        this.notice.append(el('div', { class: 'status', role: 'status', 'data-nothing-close': '',
          text: 'Nothing in your corpus is close to this paper; these are the nearest. Follow its field to add papers like it.' }));
      }
      if (data.demo_corpus) {
        this.notice.append(el('div', { class: 'status', role: 'status', 'data-demo-corpus': '',
          text: 'Related from the demo corpus (3,000 arXiv papers of June 2026). To follow your own fields, run '
            + '`paperlens feeds add arxiv --category cs.CL --every 6h` on your server (README: Follow your fields).' }));
      }
      const list = el('ol');
      for (const r of data.results) list.append(this.row(r, top));
      const newest = data.sort === 'date';
      this.host.setAttribute('data-sort', newest ? 'date' : 'score');
      if (data.since) this.host.setAttribute('data-since', data.since);
      else this.host.removeAttribute('data-since');
      const view = (choice) => this.onRelatedView && this.onRelatedView(choice);
      const controls = el('div', { class: 'controls' },
        this.toggleButton('newest-first', 'Newest first', newest, (on) => view({ relatedSort: on ? 'date' : 'score' })),
        this.toggleButton('this-year', 'This year only', !!data.since, (on) => view({ relatedSince: on ? 'year' : '' })));
      const empty = el('div', { class: 'status', role: 'status',
        text: `No related papers published since ${data.since} in your corpus.` });
      this.body.replaceChildren(controls, data.results.length ? list : empty);
    }

    /* A listing page: how many papers it holds, what scoring needs, and the controls that sort
     * the page by score or make the closest papers stand out. `view` comes from content/listing.js. */
    showListing(view, { sort, highlight, jump }) {
      const focused = this.shadow.activeElement && this.shadow.activeElement.getAttribute('data-action');
      this.setState(view.error ? 'error' : view.ranking ? 'loading' : 'ready', null, view.error ? view.error.error : null, 'listing');
      this.host.setAttribute('data-listing', view.listing);
      this.host.setAttribute('data-cards', String(view.count));
      this.host.setAttribute('data-answers', String(view.answers));
      this.host.setAttribute('data-sort', view.sorted ? 'score' : 'page');
      this.host.setAttribute('data-highlight', String(view.highlighted));
      this.setCount(view.count, view.count === 1 ? 'paper here' : 'papers here');
      this.ownSlot.replaceChildren();
      let line;
      if (view.error) line = view.error.message || 'Your Paperlens server answered with an error.';
      else if (view.ranking) line = 'Finding how close these papers are to your reading list…';
      else if (!view.connected) line = 'Connect Paperlens to your server to save papers and see which ones are close to your reading list.';
      else if (!view.scored) line = 'Save a paper and every paper here gets a score: how close it is to your reading list.';
      else line = `${view.saved} saved here. Scores (0–100) say how close each paper is to your reading list; hover one to see why.`;
      const status = el('div', { class: 'status', role: 'status' }, el('span', { text: `${clip(line, 300)} ` }));
      if (!view.connected || (view.error && view.error.error === 'unauthorized')) {
        status.append(el('button', { type: 'button', class: 'link', 'data-action': 'connect',
          text: 'Connect Paperlens', onclick: () => this.onConnect() }));
      }
      const noScores = view.scored ? '' : 'Scores appear once your reading list has papers';
      const controls = el('div', { class: 'controls' },
        this.toggleButton('sort', 'Sort by score', view.sorted, sort, noScores),
        this.toggleButton('highlight', 'Highlight the closest', view.highlighted, highlight, noScores));
      const parts = [status, controls];
      if (view.scored && view.top.length) {
        const list = el('ol', { class: 'top' });
        for (const t of view.top) {
          list.append(el('li', { 'data-paper-id': t.id },
            el('button', { type: 'button', class: 'link title', text: clip(t.title, 140), onclick: () => jump(t.id) }),
            el('span', { class: 'pts', text: String(t.score) })));
        }
        parts.push(el('p', { class: 'sub', text: 'Closest to your reading list, not saved yet' }), list);
      }
      this.body.replaceChildren(...parts);
      // Redrawn on every change: keyboard focus stays on the control that was pressed.
      const again = focused && this.body.querySelector(`[data-action="${focused}"]`);
      if (again) again.focus();
    }

    row(r, top) {
      // The server's closeness is on the corpus's own scale (50 = a typical related pair), the same
      // for every paper; an older server's answer has none, and then the bar is a share of the top hit.
      const absolute = typeof r.closeness === 'number' && Number.isFinite(r.closeness);
      const pct = Math.max(0, Math.min(100, Math.round(absolute ? r.closeness : (Number(r.score) / top) * 100) || 0));
      const fill = el('span', { class: 'fill' });
      fill.style.width = `${pct}%`; // CSSOM, which page CSPs do not govern (a style attribute they would)
      const meta = el('div', { class: 'meta' },
        el('span', { text: r.year ? String(r.year) : '—' }),
        el('span', { class: 'bar', role: 'img', 'aria-label': absolute ? `closeness ${pct} of 100` : `relevance ${pct}%` }, fill),
        el('span', absolute
          ? { class: 'closeness', text: String(pct), title: 'Closeness in words, 0-100: 50 is as close as a typical related pair in your corpus' }
          : { text: `${pct}%` }));
      // closeness in meaning (the server's semantic signal): a cosine, shown as a percentage
      if (typeof r.meaning === 'number' && Number.isFinite(r.meaning)) {
        const meaning = Math.max(0, Math.min(100, Math.round(r.meaning * 100)));
        meta.append(el('span', { class: 'meaning', title: 'Closeness in meaning to this page\'s paper',
          'aria-label': `closeness in meaning ${meaning}%`, text: `meaning ${meaning}%` }));
      }
      const terms = el('div', { class: 'terms', 'aria-label': 'Matched terms' });
      for (const t of (r.matched_terms || []).slice(0, MAX_TERMS)) {
        terms.append(el('span', { class: 'term', text: clip(String(t && t.term !== undefined ? t.term : t), 40) }));
      }
      const summary = r.summary || {};
      const tldr = r.tldr || summary.tldr;
      const li = el('li', { 'data-paper-id': r.id },
        el('div', { class: 'row-head' }, linkOrText(clip(r.title || r.id, MAX_ROW_TITLE), r.url, 'title'),
          this.saveButton(r.id, r.saved)),
        meta, terms);
      if (tldr) li.append(el('p', { class: 'tldr', text: clip(tldr, MAX_TLDR) }));
      const sentences = (summary.sentences || []).filter((s) => typeof s === 'string' && s !== tldr).slice(0, 5);
      if (sentences.length) {
        const list = el('ul', { class: 'sentences', hidden: '' });
        for (const s of sentences) list.append(el('li', { text: clip(s, MAX_SENTENCE) }));
        const more = el('button', { type: 'button', class: 'link more', 'aria-expanded': 'false',
          text: 'Key sentences' });
        more.addEventListener('click', () => {
          const open = list.hidden;
          list.hidden = !open;
          more.setAttribute('aria-expanded', String(open));
        });
        li.append(more, list);
      }
      return li;
    }
  }

  root.PaperlensOverlay = Overlay;
})(globalThis);
