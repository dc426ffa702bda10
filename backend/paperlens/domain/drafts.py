"""Related work a draft lacks: the corpus papers most related to a draft's title and abstract that
its bibliography does not cite (matched by arXiv id, DOI or title), each with the sentence of the
draft and the sentence of the paper that match best."""

from __future__ import annotations

from ..corpus.paper import Paper, indexed_text
from ..library.bibliography import Bibliography, TooLong, read_bibtex, read_ids
from ..ranking.related import related_papers
from ..ranking.sentence_match import best_pairs, sentences_of
from ..store import StoreUnavailable
from .corpus import Corpus
from .errors import Invalid
from .meaning import ranked_by


def missing_for_draft(corpus: Corpus, title: str, abstract: str, bibliography: str | list[str], k: int,
                      summaries: str, user: str | None, rank: str | None = None) -> dict:
    cited = _read(bibliography)
    aliases = cited.aliases
    view = corpus.index.view()
    try:
        stored = {s for s in corpus.store.papers.resolve_many(sorted(aliases)) if s}
    except StoreUnavailable:
        stored = set()  # the papers' own ids still exclude them below
    cited_docs = {doc for doc in map(view.papers.doc_of, stored | aliases) if doc >= 0}

    def not_cited(doc: int) -> bool:
        if doc in cited_docs:
            return False
        record = view.papers.paper(doc)
        return not aliases.intersection(Paper.from_dict(record).aliases() + [record["id"]])

    draft_text = indexed_text(title, abstract)
    meaning = corpus.meaning.meaning(corpus.meaning.rank_used(rank), text=draft_text)
    ranking = related_papers(view, draft_text, k, keep=not_cited, meaning=meaning)
    results, _ = corpus.results(view, ranking.hits, summaries)
    draft = sentences_of(abstract) or sentences_of(title)
    papers = [view.papers.paper(hit.doc) for hit in ranking.hits]
    pairs = best_pairs(view.index, draft, [sentences_of(p.get("abstract") or "") or sentences_of(p.get("title") or "")
                                           for p in papers])
    for result, pair in zip(results, pairs):
        result["draft_sentence"], result["paper_sentence"] = pair or (None, None)
    return {"query": {"terms": ranking.query_terms}, "rank": ranked_by(meaning),
            "bibliography": {"entries": len(cited.entries), "in_corpus": len(cited_docs),
                             "skipped": cited.skipped[:100], "skipped_total": len(cited.skipped)},
            "corpus_version": view.version, "results": corpus.mark_saved(results, user)}


def _read(bibliography: str | list[str]) -> Bibliography:
    if isinstance(bibliography, list):
        return read_ids(bibliography)
    if not bibliography.strip():
        return Bibliography([], [])
    try:
        cited = read_bibtex(bibliography)
    except TooLong as exc:
        raise Invalid("The bibliography is too long.", details={"bibliography": [str(exc)]}) from None
    if not cited.entries and "@" not in bibliography:
        raise Invalid("The bibliography holds no BibTeX entry: give BibTeX text or a list of ids.",
                      details={"bibliography": ["no '@type{...}' entry found"]})
    return cited
