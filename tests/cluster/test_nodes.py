"""Several `paperlens serve` processes, each with its own index folder, sharing one Redis Cluster: a
paper posted to one is searchable on the other within 2 s, a save through one is read (and edited)
through the other, and every `paperlens` command works against the Cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import requests

from paperlens.store.keys import Keys
from paperlens.store.tokens import TokenStore

from tests.servers import redis_client, ServeProcess

PROPAGATION_SECONDS = 2.0


def serve_node(env: dict, root, name: str) -> ServeProcess:
    """One `paperlens serve` with an external Redis (the Cluster) and its own data and index folders."""
    return ServeProcess({**env, "PAPERLENS_DATA_DIR": str(root / name), "PAPERLENS_INDEX_DIR": str(root / name / "index")},
                        root / f"{name}.log")


def serve_nodes(cluster_url: str, root, count: int = 2, **env) -> tuple[list[ServeProcess], dict]:
    prefix = f"n{uuid.uuid4().hex[:8]}"
    base = {**os.environ, "PAPERLENS_REDIS_URL": cluster_url, "PAPERLENS_KEY_PREFIX": prefix,
            "PAPERLENS_RATE_LIMIT": "100000/minute", "PAPERLENS_WORKERS": "1", **env}
    nodes = [serve_node(base, root, f"node{n}") for n in range(count)]
    try:
        for node in nodes:
            node.wait_healthy()
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    return nodes, base


@pytest.fixture(scope="module")
def two_nodes(redis_cluster, tmp_path_factory):
    root = tmp_path_factory.mktemp("nodes")
    nodes, env = serve_nodes(redis_cluster.url, root)
    client = redis_client(redis_cluster.url)
    token = TokenStore(client, Keys(env["PAPERLENS_KEY_PREFIX"])).create("alice")
    yield nodes, {"Authorization": f"Bearer {token}"}, env
    for node in nodes:
        node.stop()


def found(server: ServeProcess, query: str, paper_id: str) -> bool:
    hits = requests.get(f"{server.base}/api/v1/search", params={"q": query, "k": 5}, timeout=10).json()["results"]
    return any(hit["id"] == paper_id for hit in hits)


def test_a_paper_posted_to_one_node_is_searchable_on_the_other_within_2_s(two_nodes):
    (a, b), alice, _ = two_nodes
    waits = []
    for n in range(5):
        marker = f"xylophonic{uuid.uuid4().hex[:6]}"
        paper = {"title": f"Cross-node propagation study {marker}", "abstract": f"The {marker} effect on indexing.",
                 "arxiv_id": f"2612.{n:05d}"}
        posted = requests.post(f"{a.base}/api/v1/papers", json=paper, headers=alice, timeout=10)
        assert posted.status_code == 200, posted.text
        started = time.monotonic()
        while not found(b, marker, f"arxiv:2612.{n:05d}"):
            assert time.monotonic() - started < PROPAGATION_SECONDS, \
                f"paper {n} not on the other node within {PROPAGATION_SECONDS} s (the ones before: {waits})"
            time.sleep(0.02)
        waits.append(time.monotonic() - started)
    print(f"cross-node propagation: max {max(waits):.2f} s, each {[round(w, 2) for w in waits]}")


def test_a_save_through_one_node_is_read_and_edited_through_the_other(two_nodes):
    (a, b), alice, _ = two_nodes
    paper_id = requests.get(f"{a.base}/api/v1/search", params={"q": "diffusion", "k": 1}, timeout=10).json()["results"][0]["id"]
    saved = requests.put(f"{a.base}/api/v1/library/{paper_id}", json={"tags": ["cluster"], "note": "via a"},
                         headers=alice, timeout=10)
    assert saved.status_code == 201, saved.text
    listed = requests.get(f"{b.base}/api/v1/library", headers=alice, timeout=10).json()["items"]
    assert [(it["paper"]["id"], it["note"], it["tags"]) for it in listed] == [(paper_id, "via a", ["cluster"])]
    edited = requests.patch(f"{b.base}/api/v1/library/{paper_id}", json={"note": "via b"}, headers=alice, timeout=10)
    assert edited.status_code == 200, edited.text
    assert requests.get(f"{a.base}/api/v1/library", headers=alice, timeout=10).json()["items"][0]["note"] == "via b"
    related = requests.get(f"{b.base}/api/v1/papers/{paper_id}/related", params={"k": 3}, headers=alice, timeout=10).json()
    assert related["results"], "related works on every node"


def test_every_command_works_against_the_cluster(two_nodes, tmp_path):
    (a, b), alice, env = two_nodes
    env = {**env, "PAPERLENS_DATA_DIR": str(tmp_path / "cli")}

    def paperlens(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "paperlens.cli", *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return done

    token = paperlens("token", "create", "bob").stdout.strip()
    assert "bob\tuser bob" in paperlens("token", "list").stdout
    papers = "".join(json.dumps({"title": f"Command line paper {n} on {'quokka' if n == 0 else 'wombat'} ecology",
                                 "abstract": "Marsupial habitats.", "arxiv_id": f"2611.{n:05d}"}) + "\n" for n in range(30))
    assert paperlens("ingest", "-", "--format", "jsonl", stdin=papers).stdout.startswith("added 30, merged 0")
    started = time.monotonic()
    while not found(a, "quokka", "arxiv:2611.00000"):
        assert time.monotonic() - started < 10, "an ingest from the command line reaches the running nodes"
        time.sleep(0.1)
    bob = {"Authorization": f"Bearer {token}"}
    assert requests.put(f"{b.base}/api/v1/library/arxiv:2611.00003", json={"tags": ["q"]}, headers=bob, timeout=10).status_code == 201
    exported = json.loads(paperlens("export", "bob", "--format", "json").stdout)
    assert [item["paper"]["id"] for item in exported["items"]] == ["arxiv:2611.00003"]
    assert "0 unfinished, 0 missing from the corpus log, 0 merges unfinished" in paperlens("doctor", "--dry-run").stdout
    paperlens("feeds", "list")
    assert paperlens("reindex").stdout.startswith("index snapshot")
    assert paperlens("token", "revoke", "bob").stdout.startswith("revoked")
    assert requests.get(f"{a.base}/api/v1/library", headers=bob, timeout=10).status_code == 401
