"""Related by meaning (issue 21) with a tiny model made by a fixture: the filler stores vectors in
Redis, servers pick them up without a restart, rank=hybrid re-ranks BM25's top candidates by the
fused score, rank=bm25 keeps the exact BM25 order, and a server without the model is pure BM25.
A real `paperlens serve` filling the vectors is tests/served/test_semantic_serve.py."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time

import numpy as np
import pytest

from paperlens.app import create_app
from paperlens.domain.vectors_ahead import VectorsAhead
from paperlens.embedding.encoder import Encoder
from paperlens.ranking.fusion import DEPTH, BM25_WEIGHT
from paperlens.ranking.index import term_hash
from paperlens.corpus.paper import Paper
from paperlens.ranking.vectors import quantize
from paperlens.store.vectors import VectorStore

from tests.corpus import demo_papers

PAPER = "/api/v1/papers/{}/related"


@pytest.fixture
def semantic(settings, tiny_model):
    return dataclasses.replace(settings, embed_model=str(tiny_model))


@pytest.fixture
def app(semantic):
    application = create_app(semantic)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def svc(app):
    """The app's own services (its MeaningSignal is the one requests use), with the demo corpus."""
    services = app.extensions["paperlens"]
    list(services.store.papers.add_many(demo_papers()))
    return services


def fill(svc, batch: int = 1000) -> VectorsAhead:
    signal = svc.corpus.meaning
    ahead = VectorsAhead(svc.store, Encoder(signal.settings.embed_model), signal.model, batch=batch)
    while ahead.step():
        pass
    signal.catch_up()
    return ahead


def posted(papers) -> dict:
    """Papers as a client posts them (PaperInSchema's fields)."""
    return {"papers": [{k: v for k, v in p.to_dict().items() if k not in ("id", "source", "updated")} for p in papers]}


def z(values):
    values = np.asarray(values, dtype=np.float64)
    return (values - values.mean()) / values.std()


def test_the_filler_embeds_every_paper_in_log_order_and_resumes(svc):
    papers = demo_papers()
    signal = svc.corpus.meaning
    encoder = Encoder(signal.settings.embed_model)
    first = VectorsAhead(svc.store, encoder, signal.model, batch=30)
    assert first.backlog() == len(papers) and signal.backlog() == len(papers)
    assert first.step() == 30
    stored = svc.store.vectors(signal.model).get_many([p.id for p in papers], signal.card.dim)
    assert [v is not None for v in stored] == [True] * 30 + [False] * (len(papers) - 30)
    assert np.array_equal(stored[0], quantize(encoder.embed([papers[0].indexed_text]))[0])
    resumed = VectorsAhead(svc.store, encoder, signal.model, batch=1000)  # a new process takes over
    assert resumed.backlog() == len(papers) - 30
    assert resumed.step() == len(papers) - 30 and resumed.backlog() == 0 and signal.backlog() == 0


@pytest.mark.cluster_too
def test_hybrid_related_is_bm25s_top_candidates_reordered_by_the_fused_score(svc, app):
    fill(svc)
    client = app.test_client()
    paper = demo_papers()[3]
    hybrid = client.get(PAPER.format(paper.id) + "?k=5&rank=hybrid&summaries=none").get_json()
    bm25 = client.get(PAPER.format(paper.id) + f"?k={DEPTH}&rank=bm25&summaries=none").get_json()
    assert hybrid["rank"] == "hybrid" and bm25["rank"] == "bm25"
    # the same fusion, computed here from the papers' texts with the same model
    encoder = Encoder(svc.settings.embed_model)
    texts = {p.id: p.indexed_text for p in demo_papers()}
    candidates = [r["id"] for r in bm25["results"]]
    vectors = quantize(encoder.embed([texts[i] for i in candidates] + [paper.indexed_text])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = vectors[:-1] @ vectors[-1]
    fused = BM25_WEIGHT * z([r["score"] for r in bm25["results"]]) + (1 - BM25_WEIGHT) * z(cosines)
    expected = [candidates[n] for n in np.argsort(-fused, kind="stable")[:5]]
    assert [r["id"] for r in hybrid["results"]] == expected
    assert [r["meaning"] for r in hybrid["results"]] == pytest.approx(
        [float(cosines[candidates.index(i)]) for i in expected], abs=1e-3)
    assert all(r["matched_terms"] for r in hybrid["results"])  # each keeps its words


def test_rank_bm25_keeps_the_exact_bm25_ranking_and_still_shows_meaning(svc, app, settings):
    fill(svc)
    paper = demo_papers()[5]
    ours = app.test_client().get(PAPER.format(paper.id) + "?k=8&rank=bm25&summaries=none").get_json()
    plain_app = create_app(dataclasses.replace(settings, embed_model=str(settings.data_dir / "no-model")))
    plain = plain_app.test_client().get(PAPER.format(paper.id) + "?k=8&summaries=none").get_json()
    assert plain["rank"] == "bm25" and all(r["meaning"] is None for r in plain["results"])
    assert [(r["id"], r["score"]) for r in ours["results"]] == [(r["id"], r["score"]) for r in plain["results"]]
    assert all(isinstance(r["meaning"], float) for r in ours["results"])


def test_hybrid_is_the_default_when_the_signal_is_on(svc, app):
    fill(svc)
    paper = demo_papers()[2]
    default = app.test_client().get(PAPER.format(paper.id) + "?k=5").get_json()
    assert default["rank"] == "hybrid"


def test_vectors_that_arrive_change_related_lists_without_a_restart(svc, app):
    client = app.test_client()
    paper = demo_papers()[4]
    url = PAPER.format(paper.id) + "?k=10&summaries=none"
    before = client.get(url).get_json()
    assert all(r["meaning"] is None for r in before["results"])  # no paper has a vector yet
    assert client.get(url).get_json()["cached"] is True
    encoder = Encoder(svc.settings.embed_model)
    ahead = VectorsAhead(svc.store, encoder, svc.corpus.meaning.model, batch=1000)
    while ahead.step():
        pass
    # the server loads the new vectors in the background as requests come: wait for it (bounded)
    deadline = time.monotonic() + 60
    while True:
        svc.corpus.meaning.caught_up.clear()
        after = client.get(url).get_json()
        if all(r["meaning"] is not None for r in after["results"]) or time.monotonic() > deadline:
            break
        svc.corpus.meaning.caught_up.wait(10)
    assert after["cached"] is False and after["rank"] == "hybrid"
    assert all(isinstance(r["meaning"], float) for r in after["results"])


@pytest.fixture
def vector_reads(monkeypatch) -> list[str]:
    """The paper ids whose vectors any process here reads from Redis."""
    reads: list[str] = []
    get_many = VectorStore.get_many

    def counted(self, ids, dim):
        reads.extend(ids)
        return get_many(self, ids, dim)

    monkeypatch.setattr(VectorStore, "get_many", counted)
    return reads


def worker_on_a_snapshot_with_every_vector(svc, semantic):
    """A new server process (its own services) after a snapshot was built with every paper's vector."""
    svc.index.build_now()
    worker = create_app(semantic)
    worker.config["TESTING"] = True
    return worker


@pytest.mark.cluster_too
def test_a_worker_serving_from_a_snapshot_maps_its_vectors_and_reads_none_from_redis(svc, semantic, vector_reads):
    svc.index.view()  # indexed before the filler ran: its snapshot holds no vector
    fill(svc)
    overlay_only = svc.corpus.meaning.table()  # filled from Redis, as every worker did before snapshots held them
    assert len(overlay_only.mapped) == 0 and overlay_only.overlay_size == len(demo_papers())
    worker = worker_on_a_snapshot_with_every_vector(svc, semantic)
    vector_reads.clear()
    signal = worker.extensions["paperlens"].corpus.meaning
    signal.catch_up()
    table = signal.table()
    assert table.mapped is not None and table.overlay_size == 0 and len(table) == len(demo_papers())
    assert vector_reads == []  # not one vector read from Redis: all are mapped from the snapshot
    ids = [p.id for p in demo_papers()]
    hashes = np.array([term_hash(i) for i in ids], np.uint64)
    query = overlay_only.vector_of(ids[3])
    np.testing.assert_array_equal(table.cosines(query, hashes), overlay_only.cosines(query, hashes))
    answer = worker.test_client().get(PAPER.format(ids[3]) + "?k=5&summaries=none").get_json()
    assert answer["rank"] == "hybrid" and answer["cached"] is False
    assert all(isinstance(r["meaning"], float) for r in answer["results"])
    assert vector_reads == []


@pytest.mark.cluster_too
def test_a_vector_stored_after_the_snapshot_is_used_from_the_overlay(svc, semantic, vector_reads):
    fill(svc)
    worker = worker_on_a_snapshot_with_every_vector(svc, semantic)
    twin = demo_papers()[3]
    late = Paper(title=f"{twin.title}, revisited", abstract=twin.abstract, arxiv_id="2599.00001")  # after the snapshot
    list(svc.store.papers.add_many([late]))
    vector_reads.clear()
    fill(svc)  # the filler embeds it
    signal = worker.extensions["paperlens"].corpus.meaning
    signal.catch_up()
    table = signal.table()
    assert table.mapped is not None and table.overlay_size == 1 and len(table) == len(demo_papers()) + 1
    assert set(vector_reads) == {late.id}  # only what arrived since the snapshot is read from Redis
    answer = worker.test_client().get(PAPER.format(twin.id) + "?k=5&summaries=none").get_json()
    assert answer["rank"] == "hybrid"
    assert answer["results"][0]["id"] == late.id and answer["results"][0]["meaning"] > 0.9
    own = worker.test_client().get(PAPER.format(late.id) + "?k=5&summaries=none").get_json()
    assert own["rank"] == "hybrid" and all(isinstance(r["meaning"], float) for r in own["results"])


def test_vectors_filled_after_the_snapshot_are_folded_into_a_new_one_once_the_overlay_is_large(svc, app):
    index, signal = svc.index, svc.corpus.meaning
    index.fold_min_docs, index.fold_grace = 40, 0.0  # a fold's worth: 40 papers here
    before = index.view().papers.vectors
    assert before is not None and len(before) == 0  # indexed before the filler ran
    fill(svc)  # the overlay now holds all 85: more than a fold's worth
    deadline = time.monotonic() + 60
    while index.view().papers.vectors is before and time.monotonic() < deadline:
        time.sleep(0.05)
    folded = index.view().papers.vectors
    assert folded is not before and len(folded) == len(demo_papers())
    table = signal.catch_up()  # the overlay starts again where the new snapshot's vectors end
    assert table.mapped is folded and table.overlay_size == 0 and len(table) == len(demo_papers())
    answer = app.test_client().get(PAPER.format(demo_papers()[2].id) + "?k=5&summaries=none").get_json()
    assert answer["rank"] == "hybrid" and all(isinstance(r["meaning"], float) for r in answer["results"])


def test_papers_without_a_vector_yet_are_ranked_by_bm25_alone_never_an_error(svc, app):
    signal = svc.corpus.meaning
    VectorsAhead(svc.store, Encoder(signal.settings.embed_model), signal.model, batch=40).step()
    signal.catch_up()
    answer = app.test_client().get("/api/v1/search?q=video+generation&k=20&rank=hybrid").get_json()
    meanings = [r["meaning"] for r in answer["results"]]
    assert answer["rank"] == "hybrid" and None in meanings and any(m is not None for m in meanings)


def test_a_posted_paper_outside_the_corpus_is_embedded_on_the_request(svc, app):
    fill(svc)
    body = {"title": "Diffusion models for video generation",
            "abstract": "We generate long videos with a latent diffusion model and temporal attention.",
            "k": 5, "rank": "hybrid", "summaries": "none"}
    answer = app.test_client().post("/api/v1/related", json=body).get_json()
    assert answer["rank"] == "hybrid" and not answer["query"]["in_corpus"]
    assert all(isinstance(r["meaning"], float) for r in answer["results"])


def test_every_ranking_route_takes_the_rank_switch(svc, app, make_token):
    fill(svc)
    token = make_token("reader")
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    papers = demo_papers()
    for p in papers[:3]:
        assert client.put(f"/api/v1/library/{p.id}", json={}, headers=headers).status_code in (200, 201)
    for rank in ("bm25", "hybrid"):
        search = client.get(f"/api/v1/search?q=language+model&rank={rank}").get_json()
        recs = client.get(f"/api/v1/library/recommendations?rank={rank}", headers=headers).get_json()
        missing = client.post("/api/v1/related/missing", headers=headers,
                              json={"title": papers[0].title, "abstract": papers[0].abstract, "rank": rank}).get_json()
        related = client.post("/api/v1/related", json={"id": papers[1].id, "rank": rank}).get_json()
        for answer in (search, recs, missing, related):
            assert answer["rank"] == rank, answer
            assert answer["results"] and all("meaning" in r for r in answer["results"])


def test_listing_ranks_and_the_digest_mix_meaning_into_the_lists_own_scale(svc, app, make_token):
    fill(svc)
    headers = {"Authorization": f"Bearer {make_token('reader')}"}
    client = app.test_client()
    papers = demo_papers()
    for p in papers[:4]:
        client.put(f"/api/v1/library/{p.id}", json={}, headers=headers)
    candidates = [{"id": p.id} for p in papers[10:30]] + [{"title": "A paper the corpus lacks", "doi": "10.1/none"}]
    words = client.post("/api/v1/library/rank", json={"papers": candidates, "rank": "bm25"}, headers=headers).get_json()
    mixed = client.post("/api/v1/library/rank", json={"papers": candidates, "rank": "hybrid"}, headers=headers).get_json()
    assert words["rank"] == "bm25" and mixed["rank"] == "hybrid"
    assert [r["id"] for r in words["results"]] == [r["id"] for r in mixed["results"]]  # in the order given
    assert all(isinstance(r["meaning"], float) for r in mixed["results"][:-1])
    assert mixed["results"][-1]["meaning"] is None  # not in the corpus: no vector, the words' score alone
    assert mixed["results"][-1]["score"] == words["results"][-1]["score"]
    assert [r["score"] for r in mixed["results"][:-1]] != [r["score"] for r in words["results"][:-1]]
    for w, m in zip(words["results"][:-1], mixed["results"][:-1]):
        assert 0 <= m["score"] <= 100 and m["meaning"] == w["meaning"]
    digest = client.get("/api/v1/library/digest?k=10&rank=hybrid&summaries=none", headers=headers).get_json()
    plain = client.get("/api/v1/library/digest?k=10&rank=bm25&summaries=none", headers=headers).get_json()
    assert digest["rank"] == "hybrid" and plain["rank"] == "bm25" and digest["results"]
    assert [r["score"] for r in digest["results"]] == sorted((r["score"] for r in digest["results"]), reverse=True)
    assert all(isinstance(r["meaning"], float) for r in digest["results"])


@pytest.mark.parametrize("call", [
    lambda c: c.get(PAPER.format("arxiv:2501.00001") + "?rank=dense"),
    lambda c: c.get("/api/v1/search?q=video&rank=BM25"),
    lambda c: c.post("/api/v1/related", json={"title": "Video", "rank": "semantic"}),
    lambda c: c.post("/api/v1/related", json={"title": "Video", "rank": 3}),
    lambda c: c.get("/api/v1/library/digest?rank=words"),
    lambda c: c.post("/api/v1/library/rank", json={"papers": [{"id": "arxiv:2501.00001"}], "rank": "fused"}),
    lambda c: c.get("/api/v1/library/recommendations?rank=x"),
    lambda c: c.post("/api/v1/related/missing", json={"title": "Video", "rank": ""}),
])
def test_an_unknown_rank_is_refused_with_422(svc, app, make_token, call):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token('reader')}"
    response = call(client)
    assert response.status_code == 422
    assert "rank" in str(response.get_json())


def test_without_the_model_every_ranking_is_bm25_and_health_says_why(settings):
    client = create_app(settings).test_client()  # the data folder has no model, and none is named
    health = client.get("/api/v1/health").get_json()
    assert health["semantic"]["on"] is False and "paperlens model fetch" in health["semantic"]["why_off"]
    assert health["vectors_backlog"] is None
    assert client.post("/api/v1/papers", json=posted(demo_papers()[:20])).status_code == 200
    answer = client.get("/api/v1/search", query_string={"q": demo_papers()[0].title, "rank": "hybrid"}).get_json()
    assert answer["rank"] == "bm25" and answer["results"] and all(r["meaning"] is None for r in answer["results"])


def test_health_shows_the_vectors_backlog(svc, app):
    client = app.test_client()
    health = client.get("/api/v1/health").get_json()
    assert health["semantic"] == {"on": True, "model": "tiny-test-bert", "why_off": None, "vectors_loaded": 0}
    assert health["vectors_backlog"] == len(demo_papers())
    fill(svc)
    health = client.get("/api/v1/health").get_json()
    assert health["vectors_backlog"] == 0 and health["semantic"]["vectors_loaded"] == len(demo_papers())


NO_RUNTIME = """
import sys, json
if sys.argv[1] == 'missing':  # as if the semantic extra were not installed: importing them fails
    sys.modules['onnxruntime'] = sys.modules['tokenizers'] = None
from paperlens.app import create_app
from paperlens.settings import Settings
app = create_app(Settings(redis_url=sys.argv[2], key_prefix=sys.argv[3], data_dir=sys.argv[4], demo_corpus=False,
                          embed_model=sys.argv[5] if len(sys.argv) > 5 else None))
c = app.test_client()
c.post('/api/v1/papers', json={'papers': [{'title': 'Video diffusion', 'abstract': 'video models', 'arxiv_id': '2501.00001'},
                                          {'title': 'Protein folding', 'abstract': 'structures', 'arxiv_id': '2501.00002'},
                                          {'title': 'Graph networks', 'abstract': 'message passing', 'arxiv_id': '2501.00003'}]})
answer = c.get('/api/v1/search?q=video').get_json()
print(json.dumps({'health': c.get('/api/v1/health').get_json()['semantic'], 'rank': answer['rank'],
                  'hits': len(answer['results']), 'loaded': sys.modules.get('onnxruntime') is not None}))
"""


def test_a_server_without_the_extra_never_loads_the_runtime_and_ranks_by_bm25(settings, tiny_model, tmp_path):
    import json

    def run(*args):
        out = subprocess.run([sys.executable, "-c", NO_RUNTIME, *args], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    common = [settings.redis_url, settings.key_prefix, str(tmp_path / "data")]
    missing = run("missing", *common, str(tiny_model))
    assert missing["health"]["on"] is False and "semantic extra is not installed" in missing["health"]["why_off"]
    assert missing["rank"] == "bm25" and missing["hits"] == 1 and missing["loaded"] is False
    no_model = run("installed", settings.redis_url, settings.key_prefix + "b", str(tmp_path / "data2"))
    assert no_model["rank"] == "bm25" and no_model["loaded"] is False  # the extra alone loads nothing


def test_status_shows_the_vectors_backlog(svc, monkeypatch):
    from click.testing import CliRunner

    from paperlens.cli import main

    for name, value in {"PAPERLENS_REDIS_URL": svc.settings.redis_url, "PAPERLENS_KEY_PREFIX": svc.settings.key_prefix,
                        "PAPERLENS_DATA_DIR": str(svc.settings.data_dir),
                        "PAPERLENS_EMBED_MODEL": svc.settings.embed_model}.items():
        monkeypatch.setenv(name, value)
    n = len(demo_papers())
    assert f"vectors (tiny-test-bert): 0 of {n} log entries embedded, backlog {n}" in CliRunner().invoke(main, ["status"]).output
    fill(svc)
    assert f"{n} of {n} log entries embedded, backlog 0" in CliRunner().invoke(main, ["status"]).output


def test_a_damaged_model_never_turns_a_ranking_into_an_error(settings, tiny_model, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "model.onnx").write_bytes(b"not an onnx graph")
    client = create_app(dataclasses.replace(settings, embed_model=str(broken))).test_client()
    assert client.post("/api/v1/papers", json=posted(demo_papers()[:20])).status_code == 200
    answer = client.get("/api/v1/search", query_string={"q": demo_papers()[0].title, "rank": "hybrid"})
    assert answer.status_code == 200 and answer.get_json()["rank"] == "bm25" and answer.get_json()["results"]
    assert "the model cannot run" in client.get("/api/v1/health").get_json()["semantic"]["why_off"]
    (broken / "paperlens-model.json").write_text("{")
    health = create_app(dataclasses.replace(settings, embed_model=str(broken))).test_client().get("/api/v1/health")
    assert health.get_json()["semantic"]["on"] is False and "unreadable" in health.get_json()["semantic"]["why_off"]
