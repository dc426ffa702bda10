"""Opening the Redis connection: a given URL (one server, or a Redis Cluster given as
redis+cluster://HOST:PORT[,HOST:PORT...]), or the embedded server under the data folder.

A stalled Redis (a stopped process, a frozen host) answers nothing, so every command would wait
out its own socket timeout and a request making five of them would wait five times as long. The
first command that times out on a server therefore opens that server's breaker: from then on
commands to it fail at once, so routes answer from the index or with a 503 straight away, while a
background probe PINGs it and closes the breaker as soon as it answers again. The breaker sits in
the connection class, so it guards a single server and each node of a Cluster alike (a stalled
Cluster master fails fast while the other masters keep answering, and the Cluster client, seeing
the failure, refreshes its slot map and finds the replica that took over).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException
from redis.retry import Retry

from ..settings import Settings

log = logging.getLogger(__name__)

PROBE_SECONDS = 0.5  # how often a stalled Redis is asked whether it answers again
CLUSTER_SCHEME = "redis+cluster://"
MAX_CLUSTER_NODES = 1000  # startup nodes in one URL; a Cluster has at most ~1,000 nodes


# What any store call raises when Redis cannot answer: redis-py's errors, and its Cluster client's
# own (no node answering, a slot no reachable node serves), which do not derive from them.
StoreUnavailable = (redis.RedisError, RedisClusterException)


class BadRedisUrl(ValueError):
    """PAPERLENS_REDIS_URL cannot be read."""


class StallBreaker:
    """One per server address in a process, shared by every connection to it (the app's client,
    the rate limiter's, a Cluster's node clients)."""

    def __init__(self, address: str, probe, timeout: float):
        self.address = address
        self.probe = probe  # () -> None, raises while the server does not answer
        self.timeout = timeout
        self.stalled_since: float | None = None
        self._lock = threading.Lock()

    def check(self) -> None:
        if self.stalled_since is not None:
            waited = time.monotonic() - self.stalled_since
            raise redis.TimeoutError(f"Redis at {self.address} has not answered for {waited:.0f} s (stalled); "
                                     "not waiting again")

    def trip(self) -> None:
        with self._lock:
            if self.stalled_since is not None:
                return
            self.stalled_since = time.monotonic()
        log.warning("Redis at %s timed out after %.1f s: answering without it until it responds again",
                    self.address, self.timeout)
        threading.Thread(target=self._probe_until_answered, name="paperlens-redis-probe", daemon=True).start()

    def _probe_until_answered(self) -> None:
        while True:
            time.sleep(PROBE_SECONDS)
            try:
                self.probe()
            except (redis.RedisError, OSError):
                continue
            log.warning("Redis at %s answers again after %.1f s", self.address, time.monotonic() - self.stalled_since)
            self.stalled_since = None
            return


_breakers: dict[tuple[str, float], StallBreaker] = {}
_breakers_lock = threading.Lock()


class StallGuard:
    """Mixed into redis-py's connection classes: the breaker of the connection's server is checked
    before connecting or sending, and tripped by a timeout."""

    _breaker: StallBreaker | None = None

    def connect_check_health(self, *args, **kwargs):
        self.breaker().check()
        try:
            return super().connect_check_health(*args, **kwargs)
        except redis.TimeoutError:
            self.breaker().trip()
            raise

    def send_packed_command(self, command, check_health=True):
        self.breaker().check()
        try:
            return super().send_packed_command(command, check_health)
        except redis.TimeoutError:
            self.breaker().trip()
            raise

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except redis.TimeoutError:
            if "timeout" not in kwargs:  # a short read timeout asked for on purpose is no stall
                self.breaker().trip()
            raise

    def breaker(self) -> StallBreaker:
        if self._breaker is None:
            address = getattr(self, "path", None) or f"{self.host}:{self.port}"
            timeout = float(self.socket_timeout or 5.0)
            with _breakers_lock:
                breaker = _breakers.get((address, timeout))
                if breaker is None:
                    breaker = StallBreaker(address, self._prober(timeout), timeout)
                    _breakers[(address, timeout)] = breaker
            self._breaker = breaker
        return self._breaker

    def _prober(self, timeout: float):
        quick = min(1.0, timeout)
        if getattr(self, "path", None):
            probe = redis.Redis(unix_socket_path=self.path, socket_timeout=quick, socket_connect_timeout=quick)
        else:
            probe = redis.Redis(host=self.host, port=self.port, username=self.username, password=self.password,
                                ssl=isinstance(self, redis.SSLConnection), socket_timeout=quick,
                                socket_connect_timeout=quick)
        return probe.ping


class GuardedConnection(StallGuard, redis.Connection):
    pass


class GuardedSSLConnection(StallGuard, redis.SSLConnection):
    pass


class GuardedUnixConnection(StallGuard, redis.UnixDomainSocketConnection):
    pass


def quick_retry() -> Retry:
    """One quick retry after a dropped connection (a restarted Redis), none after a timeout (a
    stalled one): redis-py's default (10 with backoff) would hold every request for seconds during
    an outage, when the index could be answering instead."""
    return Retry(ExponentialBackoff(cap=0.1, base=0.02), 1, supported_errors=(redis.ConnectionError,))


# -- URLs -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClusterUrl:
    nodes: list[tuple[str, int]]
    username: str | None = None
    password: str | None = None


def is_cluster_url(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(CLUSTER_SCHEME)


def parse_cluster_url(url: str) -> ClusterUrl:
    """redis+cluster://[[user]:password@]HOST:PORT[,HOST:PORT...] (IPv6 hosts in brackets)."""
    if not is_cluster_url(url):
        raise BadRedisUrl(f"a Redis Cluster URL starts with {CLUSTER_SCHEME}")
    rest = url[len(CLUSTER_SCHEME):]
    userinfo, at, hosts = rest.rpartition("@")
    username = password = None
    if at:
        user, colon, secret = userinfo.partition(":")
        username, password = (unquote(user) or None), (unquote(secret) if colon else None)
    if hosts.endswith("/") or hosts.endswith("/0"):
        hosts = hosts.rsplit("/", 1)[0]  # database 0, the only one a Cluster has
    if any(ch in hosts for ch in "/?#") or not hosts:
        raise BadRedisUrl(f"{_shown(url)}: expected {CLUSTER_SCHEME}HOST:PORT[,HOST:PORT...] and nothing after "
                          "the nodes (a Cluster has only database 0)")
    parts = hosts.split(",")
    if len(parts) > MAX_CLUSTER_NODES:
        raise BadRedisUrl(f"{len(parts):,} nodes in the Redis Cluster URL; a few startup nodes are enough "
                          f"(at most {MAX_CLUSTER_NODES:,})")
    return ClusterUrl([_host_port(part) for part in parts], username, password)


def _host_port(part: str) -> tuple[str, int]:
    part = part.strip()
    if part.startswith("["):
        host, bracket, port = part[1:].partition("]")
        port = port[1:] if bracket and port.startswith(":") else ""
    else:
        host, _, port = part.rpartition(":")
    if not host or any(ch.isspace() for ch in host) or len(host) > 253:
        raise BadRedisUrl(f"Redis Cluster node {_shown(part)!r}: expected HOST:PORT")
    if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise BadRedisUrl(f"Redis Cluster node {_shown(part)!r}: the port must be a number from 1 to 65535")
    return host, int(port)


def _shown(text: str) -> str:
    """A URL or part of one as an error may show it: no password, and not too long."""
    if "@" in text:
        text = "…@" + text.rpartition("@")[2]
    return text if len(text) <= 80 else text[:77] + "…"


# -- clients ---------------------------------------------------------------------------------------
def connect(settings: Settings) -> tuple[redis.Redis | RedisCluster, str]:
    """A client for PAPERLENS_REDIS_URL, or for the embedded server (started if needed), and its URL."""
    url = server_url(settings)
    if is_cluster_url(url):
        return cluster_client(url, settings.redis_timeout, decode_responses=True), url
    return redis.Redis(connection_pool=connection_pool(url, settings.redis_timeout)), url


def connection_pool(url: str, timeout: float) -> redis.ConnectionPool:
    return redis.ConnectionPool.from_url(
        url,
        connection_class=_guarded_class(url),
        decode_responses=True,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=10,
        retry=quick_retry(),
    )


def cluster_options(url: str, timeout: float) -> dict:
    """Keyword arguments for redis-py's RedisCluster (also what the rate limiter's storage passes
    on to it): guarded connections to every node, this store's timeouts, one quick retry."""
    parsed = parse_cluster_url(url)
    host, port = parsed.nodes[0]
    # Given as a URL, the first node makes RedisCluster build its node pools from keyword
    # arguments, which is how the guarded connection class reaches every node it discovers.
    first = f"redis://{'[' + host + ']' if ':' in host else host}:{port}"
    options = {
        "url": first,
        "startup_nodes": [ClusterNode(h, p) for h, p in parsed.nodes[1:]],
        "connection_class": GuardedConnection,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        # A failed command refreshes the slot map and is tried once more: a failover shows as
        # failures for its window (503 + Retry-After), not as requests held for seconds each.
        "retry": Retry(NoBackoff(), 1),
    }
    if parsed.username:
        options["username"] = parsed.username
    if parsed.password is not None:
        options["password"] = parsed.password
    return options


def cluster_client(url: str, timeout: float, decode_responses: bool) -> RedisCluster:
    options = cluster_options(url, timeout)
    try:
        return RedisCluster(decode_responses=decode_responses, **options)
    except redis.exceptions.RedisClusterException as exc:
        # raised when no startup node answers CLUSTER SLOTS; to callers it is Redis being unreachable
        raise redis.ConnectionError(f"Redis Cluster at {_shown(url)}: {exc}") from exc


def is_cluster(client) -> bool:
    return isinstance(client, RedisCluster)


def mget(client, keys: list[str]) -> list:
    """GET of many keys in one round trip per node: a Cluster spreads them over slots, which one
    MGET may not span."""
    if not keys:
        return []
    return client.mget_nonatomic(keys) if is_cluster(client) else client.mget(keys)


def bytes_pool(client: redis.Redis) -> redis.ConnectionPool:
    """A pool like `client`'s (same server, timeouts, retry and breaker) whose replies are bytes."""
    pool = client.connection_pool
    return redis.ConnectionPool(connection_class=pool.connection_class,
                                **{**pool.connection_kwargs, "decode_responses": False})


def _guarded_class(url: str) -> type:
    scheme = url.partition("://")[0].lower()
    return {"unix": GuardedUnixConnection, "rediss": GuardedSSLConnection}.get(scheme, GuardedConnection)


def server_url(settings: Settings) -> str:
    if settings.redis_url:
        return settings.redis_url
    from .embedded import ensure_embedded_redis

    return ensure_embedded_redis(settings.data_dir)
