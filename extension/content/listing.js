/* A listing page (HF Daily Papers, arXiv /list): one ListingCard in each paper's card or entry,
 * one request for the whole listing (the worker batches it), and the panel's summary with its
 * sort and highlight controls. Cards the page re-renders away are put back without asking the
 * server again; papers the page adds later are ranked in one more request. */
(function (root) {
  'use strict';
  const { send } = root.PaperlensMessages;
  const ListingCard = root.PaperlensCard;

  const HIGHLIGHT_MAX = 10; // "the closest": at most this many cards stand out
  const TOP_IN_PANEL = 5;
  const RERANK_DELAY_MS = 400; // saves in quick succession are re-ranked once
  const REPAIRS_PER_WINDOW = 20; // a page that keeps removing our cards gets a bounded fight
  const DIMMED = '0.45';
  const MAX_CARDS = 2000; // the longest real listing (arXiv's show=2000); a page claiming more gets no more

  class Listing {
    constructor(adapter, panel, { inspectable }) {
      this.adapter = adapter;
      this.panel = panel;
      this.inspectable = inspectable;
      this.cards = new Map(); // id -> { card, entry, index }
      this.results = new Map(); // id -> the server's ranking result
      this.connected = true;
      this.scored = false;
      this.error = null;
      this.ranking = true; // the first answer is on its way
      this.answers = 0; // ranking answers drawn: a re-rank after a save shows as one more
      this.sorted = false;
      this.highlighted = false;
      this.nextIndex = 0; // each card's place in the page's own order, for un-sorting
      this.dimmed = new Map(); // node -> its own inline opacity, restored when highlighting stops
      this.rerankTimer = null;
      this.repairs = 0;
      this.repairWindow = setInterval(() => { this.repairs = 0; }, 10000);
      this.stopped = false;
    }

    start() {
      this.adopt(this.readEntries());
      this.draw();
      return this.rank([...this.cards.keys()]);
    }

    stop() {
      this.stopped = true;
      clearInterval(this.repairWindow);
      clearTimeout(this.rerankTimer);
      this.setHighlight(false);
      this.setSorted(false);
      for (const { card } of this.cards.values()) card.host.remove();
      this.cards.clear();
    }

    readEntries() {
      try { return this.adapter.entries(document, new URL(location.href)) || []; } catch (_) { return []; }
    }

    // Cards for entries not seen yet; entries the page re-rendered get their existing card back.
    adopt(entries) {
      const fresh = [];
      for (const entry of entries) {
        const known = this.cards.get(entry.paper.id);
        if (!known && this.cards.size >= MAX_CARDS) break;
        if (known) {
          known.entry = entry; // the page may have drawn the card anew
          if (!known.card.host.isConnected) entry.mount(known.card.host);
          continue;
        }
        const card = new ListingCard(entry.paper, { inspectable: this.inspectable,
          onSave: (c, want) => this.save(c, want), onConnect: () => send({ type: 'open-options', section: 'connect' }) });
        if (this.results.has(entry.paper.id)) card.setResult(this.visible(this.results.get(entry.paper.id)));
        this.cards.set(entry.paper.id, { card, entry, index: this.nextIndex++ });
        entry.mount(card.host);
        fresh.push(entry.paper.id);
      }
      return fresh;
    }

    /* One message for the whole listing; the worker splits it into requests of at most 200
     * papers and, when the user chose it, adds the papers to the corpus in the same batches. */
    async rank(ids) {
      if (!ids.length) {
        this.ranking = false;
        this.draw();
        return;
      }
      const papers = ids.map((id) => this.cards.get(id).entry.paper);
      const reply = await send({ type: 'rank-listing', papers });
      if (this.stopped) return;
      this.ranking = false;
      this.answers += 1;
      if (!reply.ok) {
        this.error = reply;
        this.draw();
        return;
      }
      this.error = null;
      this.connected = reply.data.connected;
      this.scored = reply.data.connected && reply.data.basedOn > 0;
      reply.data.results.forEach((result, i) => { if (result) this.results.set(ids[i], result); });
      for (const id of ids) {
        const { card } = this.cards.get(id);
        card.setResult(this.visible(this.results.get(id)));
      }
      // The library just became empty or not: every card's score appears or goes.
      if (ids.length < this.cards.size) this.refreshAll();
      if (this.sorted) this.order(true);
      if (this.highlighted) this.setHighlight(true);
      this.draw();
    }

    // Scores mean something only against a reading list that has papers in it.
    visible(result) {
      if (!result) return null;
      return this.scored ? result : { ...result, score: null };
    }

    refreshAll() {
      for (const [id, { card }] of this.cards) card.setResult(this.visible(this.results.get(id)));
    }

    async save(card, want) {
      const reply = await send({ type: 'save', id: card.id, saved: want, paper: card.paper });
      if (!reply.ok) {
        if (reply.error === 'unauthorized') {
          card.offerConnect();
          this.panel.offerConnect(reply.message);
        } else {
          this.panel.notify(reply.message || 'Paperlens could not save that paper.');
        }
        return false;
      }
      // The reading list changed: every score on the listing may have moved (one request).
      clearTimeout(this.rerankTimer);
      this.rerankTimer = setTimeout(() => { this.rank([...this.cards.keys()]).catch(() => {}); }, RERANK_DELAY_MS);
      return true;
    }

    /* The page changed under us (a framework re-render, more papers loaded): put cards back,
     * and rank papers that were not on the page before. */
    repair() {
      if (this.stopped || this.repairs >= REPAIRS_PER_WINDOW) return;
      const lost = [...this.cards.values()].some(({ card }) => !card.host.isConnected);
      const entries = this.readEntries();
      if (!lost && entries.length <= this.cards.size) return;
      this.repairs += 1;
      const fresh = this.adopt(entries);
      if (fresh.length) this.rank(fresh).catch(() => {});
      this.draw();
    }

    ranked() {
      return [...this.cards.values()].filter(({ card }) => card.score !== null)
        .sort((a, b) => b.card.score - a.card.score);
    }

    /* Sorting moves each card's nodes among its siblings, within runs of cards (an arXiv
     * section heading or a day's <h3> stays where it is), so the page's structure holds. */
    order(byScore) {
      const units = new Map(); // first node -> { nodes, index, score }
      for (const { card, entry, index } of this.cards.values()) {
        units.set(entry.nodes[0], { nodes: entry.nodes, index, score: card.score === null ? -1 : card.score });
      }
      const parents = new Set([...units.keys()].map((node) => node.parentNode).filter(Boolean));
      const rank = (a, b) => (byScore ? b.score - a.score : 0) || a.index - b.index;
      for (const parent of parents) {
        let run = [];
        const flush = (anchor) => {
          if (run.length > 1) {
            for (const unit of run.sort(rank)) for (const node of unit.nodes) parent.insertBefore(node, anchor);
          }
          run = [];
        };
        let child = parent.firstElementChild;
        while (child) {
          const unit = units.get(child);
          if (unit) {
            run.push(unit);
            child = unit.nodes[unit.nodes.length - 1].nextElementSibling;
          } else {
            flush(child);
            child = child.nextElementSibling;
          }
        }
        flush(null);
      }
    }

    setSorted(on) {
      if (on === this.sorted) return;
      this.sorted = on;
      this.order(on);
      this.draw();
    }

    // The closest papers stand out (a stronger badge); the rest of the listing is dimmed.
    setHighlight(on) {
      this.highlighted = on;
      for (const [node, opacity] of this.dimmed) node.style.setProperty('opacity', opacity[0], opacity[1]);
      this.dimmed.clear();
      const close = new Set(on ? this.ranked().filter(({ card }) => card.score > 0).slice(0, HIGHLIGHT_MAX)
        .map(({ card }) => card.id) : []);
      for (const { card, entry } of this.cards.values()) {
        const mark = !on ? null : close.has(card.id) ? 'close' : 'far';
        card.setHighlight(mark);
        if (mark !== 'far') continue;
        // CSSOM, which page CSPs do not govern; the page's own inline value comes back afterwards.
        for (const node of entry.nodes) {
          this.dimmed.set(node, [node.style.getPropertyValue('opacity'), node.style.getPropertyPriority('opacity')]);
          node.style.setProperty('opacity', DIMMED, 'important');
        }
      }
      this.draw();
    }

    jump(id) {
      const item = this.cards.get(id);
      if (!item) return;
      item.entry.nodes[0].scrollIntoView({ block: 'center', behavior: 'smooth' });
      item.card.button.focus({ preventScroll: true });
    }

    draw() {
      if (this.stopped) return;
      const cards = [...this.cards.values()];
      this.panel.showListing({
        listing: this.adapter.site,
        ranking: this.ranking,
        answers: this.answers,
        count: cards.length,
        saved: cards.filter(({ card }) => card.saved).length,
        connected: this.connected,
        scored: this.scored,
        error: this.error,
        sorted: this.sorted,
        highlighted: this.highlighted,
        // What to read next: the closest papers not saved yet.
        top: this.ranked().filter(({ card }) => !card.saved).slice(0, TOP_IN_PANEL)
          .map(({ card }) => ({ id: card.id, title: card.paper.title, score: card.score })),
      }, {
        sort: (on) => this.setSorted(on),
        highlight: (on) => this.setHighlight(on),
        jump: (id) => this.jump(id),
      });
    }
  }

  root.PaperlensListing = Listing;
})(globalThis);
