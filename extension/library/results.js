/* Ranked papers on the library page (recommendations, "more like this", a draft's missing related
 * work, the digest): one row shape with a title link, year, TL;DR and matched words, what the view
 * adds (details), and the actions Save, More like this, Not interested. */
(function (root) {
  'use strict';
  const { el, clip, linkOrText } = root.PaperlensDom;

  // actions: { save(result, button), more(result, row), dismiss(result, row) }; any may be left out.
  // details: the view's own nodes, shown above the buttons.
  function resultRow(r, actions, details = []) {
    const li = el('li', { 'data-paper-id': r.id });
    const terms = (r.matched_terms || []).slice(0, 6).map((t) => (t && t.term !== undefined ? t.term : String(t)));
    li.append(
      linkOrText(clip(r.title || r.id, 300), r.url, 'title'),
      el('div', { class: 'meta', text: [r.year, clip((r.authors || []).slice(0, 3).join(', '), 200)].filter(Boolean).join(' · ') }));
    if (r.tldr) li.append(el('p', { class: 'tldr', text: clip(r.tldr, 600) }));
    if (terms.length) li.append(el('div', { class: 'terms', text: `matched: ${terms.map((t) => clip(t, 40)).join(', ')}` }));
    li.append(...details);
    const buttons = el('div', { class: 'row' });
    if (actions.save) {
      const save = el('button', { type: 'button', 'data-action': 'save', 'aria-pressed': String(!!r.saved),
        text: r.saved ? 'Saved' : 'Save' });
      save.addEventListener('click', () => actions.save(r, save));
      buttons.append(save);
    }
    if (actions.more) {
      buttons.append(el('button', { type: 'button', 'data-action': 'more', 'aria-expanded': 'false',
        text: 'More like this', onclick: (e) => actions.more(r, li, e.currentTarget) }));
    }
    if (actions.dismiss) {
      buttons.append(el('button', { type: 'button', 'data-action': 'dismiss', text: 'Not interested',
        onclick: () => actions.dismiss(r, li) }));
    }
    li.append(buttons);
    return li;
  }

  root.PaperlensResults = { resultRow };
})(globalThis);
