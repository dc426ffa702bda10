/* The small element Paperlens puts into each paper's card on a listing page: a save toggle and a
 * score badge whose tooltip says why. Its host is a <span> the page cannot restyle (the shadow
 * root's !important :host rules win over the page's) and whose contents it cannot read (closed
 * shadow root). The host is in the page's own DOM, so in normal use it carries nothing about the
 * library: no id, saved flag, score or highlight in its attributes, and the same size whether the
 * paper is saved or scored (a page script could measure it). In the `inspectableOverlay` test mode
 * (as the overlay's open shadow root) the test contract is on the host:
 * [data-paperlens-card][data-paper-id][data-saved][data-score][data-highlight], and inside it
 * [data-action="save"][aria-pressed], [data-role="score"], [data-action="connect"]. */
(function (root) {
  'use strict';
  const { el, clip } = root.PaperlensDom;

  const MAX_BECAUSE = 3;
  const MAX_TERMS = 6;

  const CSS = `
    :host { all: initial !important; display: inline-flex !important; align-items: center !important;
      gap: 6px !important; margin: 2px 0 2px .5em !important; vertical-align: middle !important;
      position: static !important; visibility: visible !important; opacity: 1 !important;
      font: 12px/1.3 system-ui, -apple-system, "Segoe UI", sans-serif !important; color-scheme: light dark; }
    .card { --fg: #1d1d1f; --bg: #ffffff; --line: #c4c7c5; --accent: #1a5fb4; --saved: #2e7d32;
      --high: #c6d7f2; --mid: #e3ebf8; display: inline-flex; align-items: center; gap: 6px; color: var(--fg); }
    @media (prefers-color-scheme: dark) {
      .card { --fg: #e8eaed; --bg: #202124; --line: #5f6368; --accent: #8ab4f8; --saved: #81c995;
        --high: #2d4a7a; --mid: #283447; }
    }
    button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line);
      border-radius: 6px; padding: 1px 7px; cursor: pointer; white-space: nowrap; }
    button:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
    button[aria-pressed="true"] { border-color: var(--saved); color: var(--saved); }
    /* One width for Save and Saved, and the badge's room kept when it is hidden: the card's size
       says nothing about the library to a page that measures it. */
    button[data-action="save"] { box-sizing: border-box; width: 5.2em; text-align: center; }
    button[aria-busy="true"] { opacity: .7; cursor: progress; }
    button.link { border: 0; padding: 0; background: transparent; color: var(--accent); text-decoration: underline; }
    [hidden] { display: none !important; }
    .score { box-sizing: border-box; width: 3.4em; display: inline-block; text-align: center; border: 1px solid var(--line);
      border-radius: 9px; padding: 0 4px; cursor: help; font-variant-numeric: tabular-nums; background: var(--bg);
      overflow: hidden; }
    .score[hidden] { display: inline-block !important; visibility: hidden !important; }
    .score.mid { background: var(--mid); }
    .score.high { background: var(--high); border-color: var(--accent); font-weight: 600; }
    .card.close .score { border: 2px solid var(--accent); font-weight: 700; }
  `;

  // One stylesheet object for every card on the page (hundreds of shadow roots share it).
  let sharedSheet = null;
  function attachStyles(shadow) {
    try {
      if (!sharedSheet) {
        sharedSheet = new CSSStyleSheet();
        sharedSheet.replaceSync(CSS);
      }
      shadow.adoptedStyleSheets = [sharedSheet];
      return;
    } catch (_) { /* Firefox content scripts may not adopt one: an extension <style> is exempt from the page CSP */ }
    shadow.append(el('style', { text: CSS }));
  }

  const termText = (t) => String(t && typeof t === 'object' && t.term !== undefined ? t.term : t);

  /* Why a paper scored what it did, in words: the saved papers it is closest to and the words
   * they share. */
  function explanation(result) {
    const lines = [`Score ${result.score} of 100 for your reading list`];
    const because = (Array.isArray(result.because) ? result.because : []).slice(0, MAX_BECAUSE)
      .map((b) => clip(String((b && (b.title || b.id)) || ''), 120)).filter(Boolean);
    if (because.length) lines.push(`Close to: ${because.join('; ')}`);
    const terms = (Array.isArray(result.matched_terms) ? result.matched_terms : []).slice(0, MAX_TERMS)
      .map((t) => clip(termText(t), 40)).filter(Boolean);
    if (terms.length) lines.push(`Matched words: ${terms.join(', ')}`);
    return lines.join('\n');
  }

  class ListingCard {
    constructor(paper, { inspectable = false, onSave, onConnect }) {
      this.paper = paper;
      this.id = paper.id;
      this.saved = false;
      this.score = null;
      this.onSave = onSave;
      this.inspectable = inspectable;
      this.host = el('span', { 'data-paperlens-card': '' });
      this.mark('data-paper-id', paper.id);
      this.mark('data-saved', 'false');
      const shadow = this.host.attachShadow({ mode: inspectable ? 'open' : 'closed' });
      attachStyles(shadow);
      // The badge's tooltip is for the mouse; keyboard and screen-reader users hear the same words
      // as the toggle's description (one tab stop per paper, not two).
      this.why = el('span', { id: 'why', hidden: '' });
      this.button = el('button', { type: 'button', 'data-action': 'save', 'aria-pressed': 'false',
        'aria-describedby': 'why', title: 'Save to your reading list', onclick: () => this.toggle() });
      this.badge = el('span', { class: 'score', 'data-role': 'score', 'aria-hidden': 'true', hidden: '' });
      this.connect = el('button', { type: 'button', class: 'link', 'data-action': 'connect', hidden: '',
        text: 'Connect Paperlens', title: 'Connect Paperlens to your server to save papers', onclick: () => onConnect() });
      this.card = el('span', { class: 'card' }, this.button, this.badge, this.connect, this.why);
      shadow.append(this.card);
      this.label();
    }

    /* A test-contract attribute on the host (null removes it): only in the inspectable test mode,
     * since the host is the page's to read. */
    mark(name, value) {
      if (!this.inspectable) return;
      if (value === null) this.host.removeAttribute(name);
      else this.host.setAttribute(name, value);
    }

    label() {
      this.button.textContent = this.saved ? 'Saved' : 'Save';
    }

    setSaved(saved) {
      this.saved = !!saved;
      this.mark('data-saved', String(this.saved));
      this.button.setAttribute('aria-pressed', String(this.saved));
      this.label();
      this.showBadge();
    }

    // A saved paper's score is its closeness to the rest of the list (0 while it is the only
    // one): "Saved" says more, so its badge stays hidden (the test mode's data-score keeps the number).
    showBadge() {
      this.badge.hidden = this.score === null || this.saved;
    }

    /* A result from the ranking, or null (not connected, or nothing saved yet: no score to show). */
    setResult(result) {
      if (result && typeof result.saved === 'boolean') this.setSaved(result.saved);
      const score = result && Number.isFinite(Number(result.score)) && result.score !== null
        ? Math.max(0, Math.min(100, Math.round(Number(result.score)))) : null;
      this.score = score;
      if (score === null) {
        this.mark('data-score', null);
        this.showBadge();
        this.badge.removeAttribute('title');
        this.why.textContent = '';
        return;
      }
      this.mark('data-score', String(score));
      const why = explanation({ ...result, score });
      this.badge.textContent = String(score);
      this.badge.className = `score${score >= 60 ? ' high' : score >= 30 ? ' mid' : ''}`;
      this.badge.title = why;
      this.showBadge();
      this.why.textContent = why.replace(/\n/g, '. ');
    }

    setHighlight(mark) {
      this.card.classList.toggle('close', mark === 'close');
      this.mark('data-highlight', mark || null);
    }

    // Saving needs a connection; the offer stays beside the toggle the user just pressed.
    offerConnect() {
      this.connect.hidden = false;
    }

    async toggle() {
      if (this.button.getAttribute('aria-busy') === 'true') return;
      const want = !this.saved;
      this.button.setAttribute('aria-busy', 'true');
      const ok = await this.onSave(this, want);
      this.button.removeAttribute('aria-busy');
      if (ok) this.setSaved(want);
    }
  }

  root.PaperlensCard = ListingCard;
})(globalThis);
