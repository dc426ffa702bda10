/* The library's list of saved papers, virtualised: only the rows in view (and a margin) exist in
 * the DOM, so 5,000 papers scroll and filter as smoothly as 50. Rows have one fixed height. A
 * listbox for assistive technology: arrows move, Space selects, Enter edits, Delete removes. */
(function (root) {
  'use strict';
  const { el, clip } = root.PaperlensDom;

  const ROW = 56; // keep in step with --row in library.css
  const OVERSCAN = 10;

  function authorsLine(paper) {
    const authors = paper.authors || [];
    return authors.slice(0, 3).join(', ') + (authors.length > 3 ? ' et al.' : '');
  }

  class PaperList {
    constructor(container, rows, callbacks) {
      this.container = container;
      this.rows = rows;
      this.on = callbacks; // activate(item), open(item), remove(), selectionChanged()
      this.items = [];
      this.selected = new Set();
      this.active = -1;
      this.anchor = -1;
      this.frame = 0;
      container.addEventListener('scroll', () => this.schedule());
      root.addEventListener('resize', () => this.schedule());
      container.addEventListener('click', (e) => this.click(e));
      container.addEventListener('keydown', (e) => this.key(e));
    }

    setItems(items, keepId) {
      this.items = items;
      const ids = new Set(items.map((it) => it.paper.id));
      for (const id of this.selected) if (!ids.has(id)) this.selected.delete(id);
      const index = keepId ? items.findIndex((it) => it.paper.id === keepId) : -1;
      this.active = index >= 0 ? index : Math.min(this.active, items.length - 1);
      this.rows.style.height = `${items.length * ROW}px`;
      this.render();
      this.on.selectionChanged();
    }

    get activeItem() {
      return this.items[this.active] || null;
    }

    schedule() {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render();
      });
    }

    render() {
      const top = this.container.scrollTop;
      const height = this.container.clientHeight || 600;
      const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
      const last = Math.min(this.items.length, Math.ceil((top + height) / ROW) + OVERSCAN);
      const nodes = [];
      for (let i = first; i < last; i += 1) nodes.push(this.row(this.items[i], i));
      this.rows.replaceChildren(...nodes);
      if (this.active >= 0) this.container.setAttribute('aria-activedescendant', `item-${this.active}`);
      else this.container.removeAttribute('aria-activedescendant');
    }

    row(item, index) {
      const paper = item.paper;
      const meta = el('div', { class: 'meta' },
        el('span', { text: [paper.year, clip(authorsLine(paper), 200)].filter(Boolean).join(' · ') }));
      for (const tag of item.tags.slice(0, 6)) meta.append(el('span', { class: 'tag', text: clip(tag, 40) }));
      const node = el('div', {
        class: index === this.active ? 'item active' : 'item', role: 'option', id: `item-${index}`,
        'aria-selected': String(this.selected.has(paper.id)), 'aria-posinset': index + 1,
        'aria-setsize': this.items.length, 'data-paper-id': paper.id, 'data-index': index,
      },
      el('span', { class: 'check', title: 'Select' }),
      el('div', { class: 'text' }, el('div', { class: 'title', text: clip(paper.title || paper.id, 300) }), meta));
      node.style.top = `${index * ROW}px`;
      return node;
    }

    /* ---------- moving and selecting ---------- */

    moveTo(index, { extend = false } = {}) {
      if (!this.items.length) return;
      const target = Math.max(0, Math.min(this.items.length - 1, index));
      if (extend) {
        if (this.anchor < 0) this.anchor = this.active >= 0 ? this.active : target;
        this.selectRange(this.anchor, target);
      } else {
        this.anchor = target;
      }
      this.active = target;
      this.reveal(target);
      this.render();
      this.on.activate(this.activeItem);
    }

    reveal(index) {
      const top = index * ROW;
      const view = this.container.clientHeight || 600;
      if (top < this.container.scrollTop) this.container.scrollTop = top;
      else if (top + ROW > this.container.scrollTop + view) this.container.scrollTop = top + ROW - view;
    }

    toggle(index) {
      const item = this.items[index];
      if (!item) return;
      if (this.selected.has(item.paper.id)) this.selected.delete(item.paper.id);
      else this.selected.add(item.paper.id);
      this.render();
      this.on.selectionChanged();
    }

    selectRange(from, to) {
      const [a, b] = from < to ? [from, to] : [to, from];
      for (let i = a; i <= b; i += 1) this.selected.add(this.items[i].paper.id);
      this.on.selectionChanged();
    }

    selectAll() {
      for (const it of this.items) this.selected.add(it.paper.id);
      this.render();
      this.on.selectionChanged();
    }

    clearSelection() {
      this.selected.clear();
      this.render();
      this.on.selectionChanged();
    }

    click(e) {
      const node = e.target.closest('.item');
      if (!node) return;
      const index = Number(node.dataset.index);
      if (e.target.closest('.check') || e.ctrlKey || e.metaKey) {
        this.anchor = index;
        this.toggle(index);
        return;
      }
      if (e.shiftKey) {
        this.moveTo(index, { extend: true });
        return;
      }
      this.moveTo(index);
    }

    key(e) {
      const page = Math.max(1, Math.floor((this.container.clientHeight || 600) / ROW) - 1);
      const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, j: 1, k: -1 };
      if (e.key in moves && !e.altKey) {
        e.preventDefault();
        this.moveTo((this.active < 0 ? 0 : this.active + moves[e.key]), { extend: e.shiftKey });
      } else if (e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        this.moveTo(e.key === 'Home' ? 0 : this.items.length - 1, { extend: e.shiftKey });
      } else if (e.key === ' ') {
        e.preventDefault();
        if (this.active < 0) this.moveTo(0);
        this.toggle(this.active);
      } else if (e.key === 'Enter' && this.activeItem) {
        e.preventDefault();
        this.on.open(this.activeItem);
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        this.on.remove();
      } else if (e.key === 'a' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.selectAll();
      } else if (e.key === 'Escape' && this.selected.size) {
        e.preventDefault();
        this.clearSelection();
      }
    }
  }

  root.PaperlensPaperList = PaperList;
})(globalThis);
