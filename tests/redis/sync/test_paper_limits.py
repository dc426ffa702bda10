"""One set of paper rules on every path: what the API refuses (a title over 2,000 characters, an
abstract over 100,000, ...) is brought within the same limits by sync and by ingest, trimmed or
skipped with its reason, and counted in the run's line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

from paperlens.corpus import limits
from paperlens.corpus.paper import Paper

from bench.fake_upstream import body, hf_daily, oai_page, synth_catalogue

TODAY = date(2026, 6, 12)


def hostile_catalogue():
    papers = list(reversed(synth_catalogue(4)))
    papers[0].title = "Long " * 2_000_000  # 10 MB
    papers[1].abstract = "word " * 4_000_000  # 20 MB
    papers[2].authors = [f"Author{n} Person" for n in range(3_000)]
    return papers


def test_sync_skips_a_10_mb_title_and_trims_a_20_mb_abstract_and_3000_authors(fake, syncer, store):
    papers = hostile_catalogue()
    fake.script("oai", body(oai_page(papers, None, 0, 4), content_type="text/xml"))
    skipped = []
    counts = syncer.run("oai", {"set": "cs"}, today=TODAY, on_page=lambda c, p: skipped.extend(p.skipped))
    assert (counts.added, counts.skipped, counts.trimmed) == (3, 1, 2)
    assert "trimmed 2" in counts.line()
    assert skipped[0].position == papers[0].arxiv_id and skipped[0].reason.startswith("title of 9,999,999 characters (at most 2,000)")
    long_abstract = store.get(f"arxiv:{papers[1].arxiv_id}")
    assert len(long_abstract.abstract) <= limits.MAX_ABSTRACT and long_abstract.abstract.endswith("word…")
    assert len(store.get(f"arxiv:{papers[2].arxiv_id}").authors) == limits.MAX_AUTHORS
    assert store.get(f"arxiv:{papers[3].arxiv_id}").abstract == papers[3].abstract  # the ordinary one untouched


def test_ingest_holds_the_same_limits(tmp_path, sync_settings, store):
    saved = tmp_path / "papers.jsonl"
    rows = [{"title": "T" * 2_001, "arxiv_id": "2601.00001"},
            {"title": "A fine title", "abstract": "x " * 60_000, "arxiv_id": "2601.00002"},
            {"title": "Another title", "doi": "10.1234/" + "d" * 400}]
    saved.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    env = {**os.environ, "PAPERLENS_REDIS_URL": sync_settings.redis_url, "PAPERLENS_KEY_PREFIX": sync_settings.key_prefix,
           "PAPERLENS_DATA_DIR": str(sync_settings.data_dir)}
    done = subprocess.run([sys.executable, "-m", "paperlens.cli", "ingest", str(saved), "--no-index"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 1, merged 0, unchanged 0, skipped 2, trimmed 1 in ")
    assert "title of 2,001 characters (at most 2,000)" in done.stderr and "DOI of 408 characters" in done.stderr
    assert len(store.get("arxiv:2601.00002").abstract) <= limits.MAX_ABSTRACT


def test_the_api_schema_and_the_sync_rules_are_the_same_numbers():
    import marshmallow
    import pytest

    from paperlens import schemas

    schema = schemas.PaperInSchema()
    schema.load({"title": "t" * limits.MAX_TITLE, "abstract": "a" * limits.MAX_ABSTRACT})
    for field, size in (("title", limits.MAX_TITLE), ("abstract", limits.MAX_ABSTRACT)):
        with pytest.raises(marshmallow.ValidationError, match=field):
            schema.load({"title": "t", field: "x" * (size + 1)})
    # and a paper at exactly the limits is left alone
    paper = Paper(title="t" * limits.MAX_TITLE, abstract="a" * limits.MAX_ABSTRACT, authors=["x"] * limits.MAX_AUTHORS)
    assert limits.within_limits(paper, "p") == (paper, False)


def test_an_upvote_count_past_the_apis_range_is_dropped(fake, syncer, store):
    papers = synth_catalogue(1)
    papers[0].upvotes = 10**12
    fake.script("hf", body(hf_daily(papers), content_type="application/json"))
    counts = syncer.run("hf-daily", {"date": "2026-06-12"}, today=TODAY)
    assert (counts.added, counts.trimmed) == (1, 1)
    assert store.get(f"arxiv:{papers[0].arxiv_id}").upvotes is None
