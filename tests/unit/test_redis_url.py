"""PAPERLENS_REDIS_URL for a Redis Cluster: redis+cluster://HOST:PORT[,HOST:PORT...], read strictly,
with errors that say what is wrong and never show a password."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from paperlens.store.redis_client import BadRedisUrl, cluster_options, is_cluster_url, parse_cluster_url


def test_a_cluster_url_names_its_startup_nodes():
    parsed = parse_cluster_url("redis+cluster://10.0.0.1:7000,10.0.0.2:7001,redis-3.internal:7002")
    assert parsed.nodes == [("10.0.0.1", 7000), ("10.0.0.2", 7001), ("redis-3.internal", 7002)]
    assert parsed.username is None and parsed.password is None
    assert parse_cluster_url("redis+cluster://127.0.0.1:7000").nodes == [("127.0.0.1", 7000)]
    assert parse_cluster_url("redis+cluster://127.0.0.1:7000/0").nodes == [("127.0.0.1", 7000)]


def test_credentials_and_ipv6_hosts():
    parsed = parse_cluster_url("redis+cluster://paperlens:s%3Acret@[::1]:7000,[fd00::2]:7001")
    assert parsed.nodes == [("::1", 7000), ("fd00::2", 7001)]
    assert (parsed.username, parsed.password) == ("paperlens", "s:cret")
    assert parse_cluster_url("redis+cluster://:only-a-password@h:1").password == "only-a-password"


def test_only_the_cluster_scheme_is_a_cluster():
    assert is_cluster_url("redis+cluster://h:1") and is_cluster_url("REDIS+CLUSTER://h:1")
    for url in ("redis://h:1", "rediss://h:1", "unix:///tmp/r.sock", "", None):
        assert not is_cluster_url(url)


@pytest.mark.parametrize("url, says", [
    ("redis+cluster://", "HOST:PORT"),
    ("redis+cluster://h", "expected HOST:PORT"),
    ("redis+cluster://h:", "the port must be a number"),
    ("redis+cluster://h:0", "the port must be a number"),
    ("redis+cluster://h:65536", "the port must be a number"),
    ("redis+cluster://h:７０００", "the port must be a number"),  # fullwidth digits are not a port
    ("redis+cluster://h:7000,", "expected HOST:PORT"),
    ("redis+cluster://:7000", "expected HOST:PORT"),
    ("redis+cluster://h h:7000", "expected HOST:PORT"),
    ("redis+cluster://h:7000/1", "only database 0"),
    ("redis+cluster://h:7000?timeout=1", "only database 0"),
    ("redis+cluster://[::1:7000", "the port must be a number"),
    ("redis+cluster://" + "a" * 300 + ":7000", "expected HOST:PORT"),
    ("redis+cluster://" + ",".join(["h:1"] * 5000), "at most 1,000"),
    ("redis://h:7000", "starts with redis+cluster://"),
])
def test_a_bad_url_is_refused_with_what_is_wrong(url, says):
    with pytest.raises(BadRedisUrl) as refused:
        parse_cluster_url(url)
    assert says in str(refused.value)
    assert len(str(refused.value)) < 300, "a huge URL is not echoed back whole"


def test_an_error_never_shows_the_password():
    with pytest.raises(BadRedisUrl) as refused:
        parse_cluster_url("redis+cluster://user:hunter2@h:notaport")
    assert "hunter2" not in str(refused.value)


def test_every_node_gets_the_stores_timeouts_and_guarded_connections():
    options = cluster_options("redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7001", 2.5)
    assert options["url"] == "redis://10.0.0.1:7000"
    assert [(n.host, n.port) for n in options["startup_nodes"]] == [("10.0.0.2", 7001)]
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 2.5
    assert options["password"] == "pw" and options["connection_class"].__name__ == "GuardedConnection"


def test_a_command_given_a_bad_url_says_so_in_one_line():
    done = subprocess.run([sys.executable, "-m", "paperlens.cli", "token", "list"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PAPERLENS_REDIS_URL": "redis+cluster://:secret@h:port"})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["Error: PAPERLENS_REDIS_URL: Redis Cluster node 'h:port': the port "
                                                "must be a number from 1 to 65535"]
