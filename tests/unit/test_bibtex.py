"""BibTeX writing (escapes, keys, arXiv fields) and reading (macros, accents, broken entries)."""

from __future__ import annotations

import pytest

from paperlens.library import bibtex


def item(**paper) -> dict:
    base = {"id": "arxiv:1706.03762", "title": "Attention Is All You Need", "abstract": "", "authors": [],
            "arxiv_id": None, "doi": None, "published": None, "year": None, "url": None, "source_id": None,
            "categories": []}
    return {"paper": {**base, **paper}, "tags": [], "note": "", "saved_at": "2025-01-02T03:04:05.006Z"}


def test_special_characters_are_escaped_and_unicode_kept():
    text = bibtex.escape(r"R&D 50% $5 #1 a_b {BERT} ~x^2 C:\path — Müller 数学")
    assert text == (r"R\&D 50\% \$5 \#1 a\_b \{BERT\} \textasciitilde{}x\textasciicircum{}2 "
                    r"C:\textbackslash{}path — Müller 数学")


def test_unbalanced_braces_are_written_so_bibtex_stays_balanced():
    text = bibtex.escape("a } b {")
    assert text == r"a \textbraceright{} b \textbraceleft{}"
    assert text.count("{") == text.count("}")


@pytest.mark.parametrize("raw", [
    r"R&D 50% $5 #1 a_b {BERT} ~x^2 C:\path — Müller 数学",
    "a } b {", "\\", "{{}}", "^~", "plain",
])
def test_escape_then_unescape_gives_the_text_back(raw):
    assert bibtex.latex_to_unicode(bibtex.escape(raw)) == raw


def test_arxiv_papers_carry_eprint_archiveprefix_and_primaryclass():
    text = bibtex.dumps([item(arxiv_id="1706.03762", categories=["cs.CL", "cs.LG"], authors=["Ashish Vaswani"],
                              published="2017-06-12", url="https://arxiv.org/abs/1706.03762")])
    assert text.startswith("@misc{vaswani2017attention,\n")
    assert "  eprint = {1706.03762},\n" in text
    assert "  archivePrefix = {arXiv},\n" in text
    assert "  primaryClass = {cs.CL},\n" in text
    assert "  month = jun,\n" in text and "  year = {2017},\n" in text
    assert text.rstrip().endswith("}")


def test_papers_with_a_doi_are_articles():
    text = bibtex.dumps([item(id="doi:10.1/x", doi="10.1/x")])
    assert text.startswith("@article{") and "doi = {10.1/x}" in text


def test_keys_are_unique_and_ascii():
    items = [item(authors=["José Núñez"], published="2020-01-01", title="Über Graphen")] * 3
    items.append(item(authors=[], title="The"))
    text = bibtex.dumps(items)
    keys = [line.split("{", 1)[1].rstrip(",") for line in text.splitlines() if line.startswith("@")]
    assert keys[:3] == ["nunez2020uber", "nunez2020ubera", "nunez2020uberb"]
    assert len(set(keys)) == 4 and all(k.isascii() and k.isalnum() for k in keys)


def test_an_author_named_with_and_is_not_split():
    text = bibtex.dumps([item(authors=["Simon and Garfunkel Lab", "B. Jones"])])
    assert "author = {{Simon and Garfunkel Lab} and B. Jones}" in text
    entries, _ = bibtex.parse(text)
    assert bibtex.split_authors(entries[0].fields["author"]) == ["Simon and Garfunkel Lab", "B. Jones"]


def test_tags_note_and_saved_time_are_written():
    it = item()
    it.update(tags=["to read", "nlp"], note="100% worth it & more")
    text = bibtex.dumps([it])
    assert "keywords = {to read, nlp}" in text
    assert r"annote = {100\% worth it \& more}" in text
    assert "timestamp = {2025-01-02T03:04:05.006Z}" in text


def test_parser_reads_macros_concatenation_quotes_and_accents():
    text = r"""
    % a comment line
    @comment{ignored {nested} }
    @string{ conf = "Proc. of " }
    @preamble{ "\newcommand{\x}{y}" }
    @Article{key1,
      Title = {{The} Caf{\'e} of M{\"u}ller and \c{C}elik},
      author = "J. M{\"u}ller and K. {\c C}elik and O. Stra\ss{}er",
      journal = conf # {NeurIPS},
      year = 2021, month = feb,
      doi = {10.1/ABC}
    }
    @misc(key2, title = "Parenthesised \& quoted")
    """
    entries, skips = bibtex.parse(text)
    assert skips == []
    assert [e.key for e in entries] == ["key1", "key2"]
    first = entries[0].fields
    assert bibtex.latex_to_unicode(first["title"]) == "The Café of Müller and Çelik"
    assert bibtex.split_authors(first["author"]) == ["J. Müller", "K. Çelik", "O. Straßer"]
    assert first["journal"] == "Proc. of NeurIPS"
    assert first["year"] == "2021" and first["month"] == "2"
    assert bibtex.latex_to_unicode(entries[1].fields["title"]) == "Parenthesised & quoted"


def test_broken_entries_are_skipped_with_their_line_and_the_rest_still_read():
    text = "@misc{ok1, title={One}}\n@misc{bad, title={never closed\n\n@misc{bad2, title = undefinedmacro}\n" \
           "@misc{ok2, title={Two}}\n"
    entries, skips = bibtex.parse(text)
    titles = [e.fields.get("title") for e in entries]
    assert "Two" in titles and "One" in titles
    assert skips and all(s.position >= 2 for s in skips)


@pytest.mark.parametrize("garbage", ["", "@", "@{", "@misc", "@misc{", "@misc{k,", "@misc{k, t", "@misc{k, t=",
                                     "@misc{k, t={", '@misc{k, t="', "@misc{k, t=#}", "{{{{", "}}}}", "@@@@",
                                     "@misc{k, t = {a} # }", "\x00\x01@\x02{", "@string{x = {y}", "@misc{k,,,,}"])
def test_parser_never_raises_on_garbage(garbage):
    entries, skips = bibtex.parse(garbage)
    assert isinstance(entries, list) and isinstance(skips, list)


def test_deeply_nested_input_is_handled_without_recursion():
    text = "@misc{k, title = {" + "{" * 50_000 + "x" + "}" * 50_000 + "}}"
    entries, _ = bibtex.parse(text)
    assert bibtex.latex_to_unicode(entries[0].fields["title"]) == "x"


def test_hostile_input_parses_in_linear_time():
    import time

    # CPU time of this process, not wall time: other work on the machine does not count. These take
    # about 4 s of CPU together; a parse quadratic in its input would take hours.
    started = time.process_time()
    for text in ("@a{k,t={" * 120_000, "@misc{k, title={x}}\n" * 50_000, ("@a{k,t={\n" * 100_000),
                 "@a{k,t=\"" * 120_000):
        entries, skips = bibtex.parse(text)
    assert time.process_time() - started < 20


def test_brace_pairs_agree_with_a_stack_on_random_texts():
    import random
    import re

    def stack_pairs(text):
        closing, opened = {}, []
        for m in re.finditer(r"\\[{}]|[{}]", text):
            if m.group() == "{":
                opened.append(m.start())
            elif m.group() == "}" and opened:
                closing[opened.pop()] = m.start()
        return closing

    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice("{}\\ab@é") for _ in range(rng.randint(0, 40)))
        opens, closes = bibtex._pairs(text)
        assert {int(o): int(c) for o, c in zip(opens, closes)} == stack_pairs(text), text
