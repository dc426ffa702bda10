"""The library page's "Related work for a draft" and Digest views in a real browser: a draft and its
BibTeX (pasted, from a .bib file, or as ids) give the related work the bibliography lacks with the
sentences that match; hostile drafts and bibliographies stay text and do not hang the page; the
digest's feed URL is made, shown once, replaced and revoked (checked at the server); today's digest
is listed; the popup opens both; without a connection both offer to connect."""

from __future__ import annotations

import re
import time

import pytest
import requests

from tests.corpus import demo_papers
from .conftest import wait_for
from .test_library_page import Reader

pytestmark = pytest.mark.e2e

PAPERS = demo_papers()
DRAFT_TITLE = "One-step text-to-image generation by distilling diffusion models"
# Sentences of two demo papers, so the corpus has close relatives and sentences that match.
DRAFT_ABSTRACT = " ".join(re.split(r"(?<=\.)\s+", PAPERS[0].abstract)[:2] + re.split(r"(?<=\.)\s+", PAPERS[1].abstract)[:1])


def missing(reader, bibliography, k=20):
    r = requests.post(f"{reader.server}/api/v1/related/missing", headers=reader.headers, timeout=30,
                      json={"title": DRAFT_TITLE, "abstract": DRAFT_ABSTRACT, "bibliography": bibliography, "k": k})
    assert r.status_code == 200, r.text
    return r.json()


def cited_bibtex(reader):
    """BibTeX citing the three papers the draft is closest to (by title, spelled as BibTeX does),
    one paper the corpus lacks, and an entry that names nothing."""
    top = missing(reader, [])["results"][:3]
    entries = [f"@article{{cited{n},\n  title = {{{{{r['title'].upper()}}}}},\n  author = {{Doe, Jane}},\n}}"
               for n, r in enumerate(top)]
    entries.append("@misc{elsewhere, title = {A paper no corpus here holds}, eprint = {2999.99999}}")
    entries.append("@misc{nameless, author = {Nobody}, year = {2024}}")
    return [r["id"] for r in top], "\n\n".join(entries) + "\n"


def open_view(reader, view, page=None):
    page = page or reader.browser.context.new_page()
    page.goto(reader.browser.extension_url(f"library/library.html#{view}"))
    page.wait_for_selector(f"#tab-{view}[aria-selected='true']")
    return page


def shown_ids(page, list_id):
    return page.locator(f"#{list_id} > li").evaluate_all("els => els.map(e => e.dataset.paperId)")


def text(page, element_id):
    # Polled from here: extension pages' CSP refuses the eval behind Playwright's wait_for_function.
    return page.locator(f"#{element_id}").inner_text()


def ask(page, title=DRAFT_TITLE, abstract=DRAFT_ABSTRACT, bibliography=""):
    page.fill("#draftTitle", title)
    page.fill("#draftAbstract", abstract)
    page.fill("#draftBib", bibliography)
    page.locator("#draftFind").click()
    page.wait_for_selector("#draft:not([data-state='loading']):not([data-state='idle'])", timeout=30000)
    return page.locator("#draft").get_attribute("data-state")


def test_a_draft_and_its_bibtex_give_the_related_work_it_lacks_with_the_sentences_that_match(configured, live_server):
    reader = Reader(configured, live_server, saved=2)
    cited, bibtex = cited_bibtex(reader)
    expected = missing(reader, bibtex)
    assert not set(cited) & {r["id"] for r in expected["results"]}

    page = reader.open()
    # By keyboard: from the Saved tab to "Related work for a draft", then Ctrl+Enter asks.
    page.locator("#tab-saved").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-draft"
    assert page.locator("#draft").is_visible() and page.url.endswith("#draft")
    page.fill("#draftTitle", DRAFT_TITLE)
    page.fill("#draftAbstract", DRAFT_ABSTRACT)
    page.fill("#draftBib", bibtex)
    page.locator("#draftBib").press("Control+Enter")
    page.wait_for_selector("#draft[data-state='ready']", timeout=30000)

    assert shown_ids(page, "draftList") == [r["id"] for r in expected["results"]]
    assert not set(cited) & set(shown_ids(page, "draftList")), "papers the bibliography cites are left out"
    for n, r in enumerate(expected["results"][:5]):
        row = page.locator("#draftList > li").nth(n)
        assert row.locator(".draft-sentence q").inner_text() == r["draft_sentence"]
        assert row.locator(".paper-sentence q").inner_text() == r["paper_sentence"]
        assert r["draft_sentence"] in DRAFT_ABSTRACT
    assert page.locator("#draftCited").inner_text().startswith("Your bibliography: 4 entries, 3 of them in your corpus")
    assert "1 entry names no paper: line" in page.locator("#draftCited").inner_text()

    # Each result opens the paper's page and saves.
    first = page.locator("#draftList > li").first
    url = expected["results"][0]["url"]
    if url and url.startswith(("http://", "https://")):
        assert first.locator("a.title").get_attribute("href") == url
        assert first.locator("a.title").get_attribute("target") == "_blank"
    first.locator("[data-action='save']").click()
    wait_for(lambda: expected["results"][0]["id"] in reader.ids())
    assert first.locator("[data-action='save']").get_attribute("aria-pressed") == "true"
    page.locator("#tab-saved").click()
    page.wait_for_selector(f"#list [data-paper-id='{expected['results'][0]['id']}']")


def test_a_bib_file_or_a_list_of_ids_is_the_bibliography(configured, live_server, tmp_path):
    reader = Reader(configured, live_server, saved=1)
    cited, bibtex = cited_bibtex(reader)
    page = open_view(reader, "draft")
    page.fill("#draftTitle", DRAFT_TITLE)
    page.fill("#draftAbstract", DRAFT_ABSTRACT)
    refs = tmp_path / "refs.bib"
    refs.write_text(bibtex, encoding="utf-8")
    page.set_input_files("#bibFile", str(refs))
    wait_for(lambda: text(page, "bibFileState").startswith("Loaded refs.bib"))
    assert page.locator("#draftBib").input_value() == bibtex
    page.locator("#draftFind").click()
    page.wait_for_selector("#draft[data-state='ready']", timeout=30000)
    assert shown_ids(page, "draftList") == [r["id"] for r in missing(reader, bibtex)["results"]]

    # A file over the cap is not read: the bibliography stays as it was.
    page.set_input_files("#bibFile", files=[{"name": "huge.bib", "mimeType": "text/x-bibtex",
                                             "buffer": b"@misc{a, title={x}}\n" * 170_000}])
    wait_for(lambda: "at most 3.0 MB" in text(page, "bibFileState"))
    assert page.locator("#draftBib").input_value() == bibtex

    # Ids, one per line, with a word that is none: the ids are left out, the word is named.
    ids = "\n".join(cited) + "\nnot-an-id\n"
    assert ask(page, bibliography=ids) == "ready"
    assert not set(cited) & set(shown_ids(page, "draftList"))
    assert shown_ids(page, "draftList") == [r["id"] for r in missing(reader, cited)["results"]]
    assert "Not read as paper ids: not-an-id." in page.locator("#draftCited").inner_text()


def test_a_hostile_draft_or_bibliography_stays_text_and_does_not_hang_the_page(configured, live_server):
    reader = Reader(configured, live_server, saved=1)
    page = open_view(reader, "draft")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    markup = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"
    abstract = f"{markup} javascript:alert(document.domain) {DRAFT_ABSTRACT}"
    bibtex = ("@misc{evil, title = {<b>Bold</b> <img src=x onerror=alert(1)>}, url = {javascript:alert(1)}}\n"
              "@misc{empty, note = {<svg onload=alert(1)>}}\n")
    assert ask(page, title=f"{markup} {DRAFT_TITLE}", abstract=abstract, bibliography=bibtex) == "ready"
    sentences = page.locator("#draftList .draft-sentence q").all_inner_texts()
    assert any("<img src=x" in s or "<script>" in s or "javascript:" in s for s in sentences), sentences
    assert page.locator("#draft img, #draft script, #draft svg, #draft b").count() == 0
    hrefs = page.locator("#draft a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    assert "1 entry names no paper" in page.locator("#draftCited").inner_text()

    def responsive(started):
        page.evaluate("1 + 1")
        return time.monotonic() - started

    # 1 MB of one character, as the bibliography: no BibTeX, no id; said at once, nothing sent.
    megabyte = "a" * 1_000_000
    started = time.monotonic()
    page.evaluate("(text) => { const box = document.getElementById('draftBib'); box.value = text; }", megabyte)
    page.locator("#draftFind").click()
    wait_for(lambda: text(page, "draftStatus").startswith("Nothing in the bibliography"))
    assert responsive(started) < 10
    # ... as a BibTeX title: the server reads it and names no paper.
    page.evaluate("(text) => { document.getElementById('draftBib').value = '@misc{long, title={' + text + '}}'; }",
                  megabyte)
    page.locator("#draftFind").click()
    wait_for(lambda: "1 entry, 0 of them" in text(page, "draftCited"), timeout=30)
    # ... as the abstract: the server refuses it, and the page says why.
    page.evaluate("(text) => { document.getElementById('draftAbstract').value = text; "
                  "document.getElementById('draftBib').value = ''; }", megabyte)
    started = time.monotonic()
    page.locator("#draftFind").click()
    page.wait_for_selector("#draft[data-state='error']", timeout=30000)
    assert "abstract" in page.locator("#draftStatus").inner_text()
    assert responsive(started) < 10
    page.wait_for_timeout(300)  # a window for a dialog that must not open: its absence is the test, no event to wait on
    assert dialogs == [] and page.title() == "Paperlens library"


def test_the_digest_feed_url_is_made_shown_once_replaced_and_revoked(configured, live_server):
    reader = Reader(configured, live_server, saved=2)
    status = f"{reader.server}/api/v1/library/digest/feed"
    configured.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = open_view(reader, "digest")
    page.wait_for_selector("#feed[data-exists='false']")
    assert page.locator("#feed [data-action='feed-revoke']").is_hidden()

    page.locator("#feed [data-action='feed-create']").click()
    page.wait_for_selector("#feedUrlBox:not([hidden])")
    first = page.locator("#feedUrl").input_value()
    assert first.startswith(f"{reader.server}/api/v1/digest/")
    assert "Anyone with this URL can read your digest" in page.locator("#feedUrlBox").inner_text()
    assert requests.get(status, headers=reader.headers, timeout=10).json()["exists"] is True
    feed = requests.get(first, timeout=10)
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("application/atom+xml")
    page.locator("#feed [data-action='feed-copy']").click()
    wait_for(lambda: text(page, "feedCopied") == "Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == first

    # Shown once: a new visit knows a URL exists, not what it is.
    page.reload()
    page.wait_for_selector("#feed[data-exists='true']")
    assert page.locator("#feedUrlBox").is_hidden() and page.locator("#feedUrl").input_value() == ""
    assert first not in page.content()

    page.locator("#feed [data-action='feed-create']").click()
    second = wait_for(lambda: page.locator("#feedUrl").input_value() not in ("", first)
                      and page.locator("#feedUrl").input_value())
    assert requests.get(first, timeout=10).status_code == 404, "the old URL stops working"
    assert requests.get(second, timeout=10).status_code == 200

    page.locator("#feed [data-action='feed-revoke']").click()
    page.wait_for_selector("#feed[data-exists='false']")
    assert page.locator("#feedUrlBox").is_hidden()
    assert requests.get(second, timeout=10).status_code == 404
    assert requests.get(status, headers=reader.headers, timeout=10).json()["exists"] is False


def test_the_digest_lists_the_papers_new_to_the_corpus(configured, live_server):
    reader = Reader(configured, live_server, saved=3)
    expected = requests.get(f"{reader.server}/api/v1/library/digest?days=1&k=20", headers=reader.headers,
                            timeout=30).json()
    assert expected["results"], "the demo corpus joined when the server started"
    page = open_view(reader, "digest")
    page.wait_for_selector("#digest[data-state='ready']", timeout=30000)
    assert shown_ids(page, "digestList") == [r["id"] for r in expected["results"]]
    assert not set(shown_ids(page, "digestList")) & reader.ids(), "saved papers are not in the digest"
    assert page.locator("#digestStatus").inner_text().startswith(
        f"{expected['new_papers']} papers joined your corpus in the last 24 hours; the {len(expected['results'])} closest to your 3 saved papers")
    top = expected["results"][0]
    why = page.locator("#digestList > li").first.locator(".why").inner_text()
    assert why.startswith(f"score {round(top['score'])}") and top["because"][0]["title"][:40] in why
    page.select_option("#digestDays", "7")
    page.wait_for_selector("#digest[data-state='loading']", state="detached", timeout=30000)
    assert "the last 7 days" in page.locator("#digestStatus").inner_text()
    page.locator("#digestList > li").first.locator("[data-action='save']").click()
    wait_for(lambda: top["id"] in reader.ids())


def test_the_popup_opens_the_draft_and_digest_views(configured, live_server):
    Reader(configured, live_server, saved=1)
    for view in ("draft", "digest"):
        popup = configured.context.new_page()
        popup.goto(configured.extension_url("popup/popup.html"))
        with configured.context.expect_page() as opened:
            popup.locator(f"[data-view='{view}']").click()
        library = opened.value
        library.wait_for_selector(f"#tab-{view}[aria-selected='true']")
        assert library.url == configured.extension_url(f"library/library.html#{view}")
        assert library.locator(f"#{view}").is_visible()


def test_without_a_connection_the_draft_and_digest_views_offer_to_connect(configured, live_server):
    configured.configure(token="")
    page = configured.context.new_page()
    page.goto(configured.extension_url("library/library.html#draft"))
    page.wait_for_selector("html[data-state='disconnected']")
    assert ask(page) == "disconnected"
    assert page.locator("#connect").is_visible() and page.locator("#code").is_visible()
    assert "Connect Paperlens" in page.locator("#draftStatus").inner_text()
    page.locator("#tab-digest").click()
    page.wait_for_selector("#digest[data-state='disconnected']")
    assert page.locator("#connect").is_visible()


def test_dark_mode_in_the_draft_and_digest_views(configured, live_server):
    reader = Reader(configured, live_server, saved=1)
    page = reader.browser.context.new_page()
    page.emulate_media(color_scheme="dark")
    open_view(reader, "draft", page)
    colours = page.evaluate("""() => ['draft', 'draftAbstract', 'draftBib'].map(
        (id) => getComputedStyle(document.getElementById(id)).backgroundColor)""")
    assert colours == ["rgba(0, 0, 0, 0)", "rgb(32, 33, 36)", "rgb(32, 33, 36)"]
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(32, 33, 36)"
