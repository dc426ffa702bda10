"""Paper ids and merging: the same paper from two sources is one paper, keeping the richer fields."""

from paperlens.corpus.paper import Paper, clean_arxiv_id, clean_doi, merge


def test_arxiv_ids_lose_prefix_and_version():
    assert clean_arxiv_id("arXiv:1706.03762v5") == "1706.03762"
    assert clean_arxiv_id("https://arxiv.org/pdf/2401.12345v2.pdf") == "2401.12345"
    assert clean_arxiv_id("hep-th/9901001v1") == "hep-th/9901001"
    assert clean_arxiv_id("not an id") is None


def test_dois_are_bare_and_lowercased():
    assert clean_doi("https://doi.org/10.1145/3368089.ABC") == "10.1145/3368089.abc"
    assert clean_doi("doi:10.18653/v1/N19-1423") == "10.18653/v1/n19-1423"
    assert clean_doi("11.1/x") is None


def test_id_prefers_arxiv_then_doi_then_title_hash():
    assert Paper(title="T", arxiv_id="1706.03762", doi="10.1234/x").id == "arxiv:1706.03762"
    assert Paper(title="T", doi="10.1234/X").id == "doi:10.1234/x"
    a, b = Paper(title="Attention Is All You Need."), Paper(title="attention is  all you need")
    assert a.id == b.id and a.id.startswith("title:")


def test_merge_keeps_the_richer_fields_and_the_first_id():
    old = Paper(title="Attention is all you need", authors=["A. Vaswani"], source="hf-daily")
    new = Paper(title="Attention Is All You Need", abstract="The dominant sequence models...",
                authors=["Ashish Vaswani", "Noam Shazeer"], arxiv_id="1706.03762", published="2017-06-12")
    merged = merge(old, new)
    assert merged.id == old.id
    assert merged.abstract == new.abstract and merged.authors == new.authors
    assert merged.arxiv_id == "1706.03762" and merged.published == "2017-06-12"
    assert merged.source == "hf-daily"


def test_a_paper_is_known_by_every_alias():
    p = Paper(title="X Y", arxiv_id="2101.00001", doi="10.1234/z")
    assert p.aliases()[:2] == ["arxiv:2101.00001", "doi:10.1234/z"] and p.aliases()[2].startswith("title:")


def test_look_alike_digits_never_make_an_arxiv_id_of_their_own():
    assert clean_arxiv_id("２４０１.１２３４５") == "2401.12345"  # fullwidth: the same id after NFKC
    assert clean_arxiv_id("arXiv:２４０１.１２３４５ｖ２") == "2401.12345"
    assert clean_arxiv_id("٢٤٠١.١٢٣٤٥") is None  # Arabic-Indic digits are not an arXiv id
    assert clean_arxiv_id("۲۴۰۱.۱۲۳۴۵") is None  # nor Persian ones
    assert clean_doi("10.１２３４/ABC") == "10.1234/abc"
    assert clean_doi("10.١٢٣٤/abc") is None
    assert Paper(title="T", arxiv_id="٢٤٠١.١٢٣٤٥").id.startswith("title:")
