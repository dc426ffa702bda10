"""Every setting, read from PAPERLENS_* environment variables, with embedded defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class BadSetting(ValueError):
    """A PAPERLENS_* value that cannot be used; its message names the variable."""


@dataclass
class Settings:
    # name: (default, environment variable documentation lives in the README table)
    redis_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("paperlens")))
    index_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8420
    workers: int = 2
    threads: int = 8  # per worker: requests the app runs at once (slow clients hold none)
    key_prefix: str = "pl"
    public_read: bool | None = None  # None: open on loopback, token needed elsewhere
    cors_origins: list[str] = field(default_factory=list)
    max_body_bytes: int = 1_048_576
    demo_corpus: bool = True
    related_cache_ttl: int = 7 * 24 * 3600
    rate_limit: str = "600/minute"
    # milliseconds of CPU a minute one caller may spend on /library/rank, /related/missing, /summarize
    cost_limit: str = "5000/minute"
    redis_timeout: float = 5.0
    # reading-list writes wait for this many replicas (as many as are online, at most) for at most
    # this long; 0 replicas: acknowledge at once (docs/deploy.md, "Failover")
    redis_wait_replicas: int = 1
    redis_wait_ms: int = 1000
    index_refresh_seconds: float = 0.5
    summary_cpu: float = 0.5  # share of one core that summarising new papers ahead of time may use (0: off)
    trusted_proxies: list[str] = field(default_factory=list)  # addresses whose X-Forwarded-For is believed
    # the URL people reach this server at (a proxy's https://papers.example.org); printed and served
    # links start with it. Unset: the bound address. Never taken from a request's Host header.
    public_url: str | None = None
    allowed_hosts: list[str] = field(default_factory=list)  # Host names accepted besides the bound address
    max_connections: int = 256  # open connections per worker; more wait in the kernel's accept queue
    # the semantic signal (README "Related by meaning"): a model folder (else the fetched default's),
    # where `paperlens model fetch` downloads from, and the cores the vector filler may use
    embed_model: str | None = None
    # the default: the ONNX export of all-MiniLM-L6-v2 that Chroma publishes for its own default
    # embedding function, pinned by the SHA-256 that Chroma's source pins it by (chromadb's
    # ONNXMiniLM_L6_V2._MODEL_SHA256). A folder URL instead (ending in /) serves what
    # `python -m bench.embed_model` writes, and the checksum is then its card's.
    embed_model_url: str = "https://chroma-onnx-models.s3.amazonaws.com/all-MiniLM-L6-v2/onnx.tar.gz"
    embed_model_sha256: str = "913d7300ceae3b2dbc2c50d1de4baacab4be7b9380491c27fab7418616a16ec3"
    embed_cpu: float = 1.0
    # sync (README "Follow your fields"): upstream base URLs, and how politely they are asked
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_oai_url: str = "https://oaipmh.arxiv.org/oai"
    hf_api_url: str = "https://huggingface.co/api"
    biorxiv_api_url: str = "https://api.biorxiv.org"
    # Zotero import (docs/reading-list.md): the desktop app's local API and the web API
    zotero_local_url: str = "http://127.0.0.1:23119/api"
    zotero_web_url: str = "https://api.zotero.org"
    sync_delay: float = 3.0
    sync_timeout: float = 60.0
    contact: str | None = None
    # every sync run ends (docs/sync.md, "Every run ends"): at most this many page requests and this
    # many seconds; a run cut there keeps what it stored, and the next run resumes
    sync_max_pages: int = 1000
    sync_run_seconds: float = 3600.0

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).expanduser()
        self.index_dir = Path(self.index_dir).expanduser() if self.index_dir else self.data_dir / "index"
        if self.public_url:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise BadSetting(f"PAPERLENS_PUBLIC_URL must be an http(s) URL such as https://papers.example.org, "
                                 f"not {self.public_url!r}")

    @property
    def on_loopback(self) -> bool:
        """Only this machine can reach the server: bound to loopback, and no proxy in front (a TLS
        proxy on the same host connects over loopback too, on behalf of anyone)."""
        return self.host in {"127.0.0.1", "localhost", "::1"} and not self.trusted_proxies

    @property
    def base_url(self) -> str:
        """Where this server is reached, for links it prints or serves: PAPERLENS_PUBLIC_URL, else the
        bound address (a bind-all address is reached on 127.0.0.1 from this machine)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"

    @property
    def reads_need_token(self) -> bool:
        if self.public_read is not None:
            return not self.public_read
        return not self.on_loopback

    @property
    def corpus_writes_need_token(self) -> bool:
        """Adding papers changes what every user sees: open only on loopback, whatever
        PAPERLENS_PUBLIC_READ says about reads."""
        return not self.on_loopback

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        env = os.environ if env is None else env
        values: dict = {}
        converters = {
            "port": int, "workers": int, "redis_wait_replicas": int, "redis_wait_ms": int, "threads": int,
            "trusted_proxies": _list, "max_body_bytes": int, "related_cache_ttl": int, "redis_timeout": float,
            "index_refresh_seconds": float, "summary_cpu": float, "embed_cpu": float, "sync_delay": float,
            "sync_timeout": float, "public_read": _bool, "demo_corpus": _bool, "cors_origins": _list,
            "allowed_hosts": _list, "max_connections": int,
            "data_dir": Path, "index_dir": Path,
            "sync_max_pages": int, "sync_run_seconds": float,
        }
        for f in fields(cls):
            raw = env.get(f"PAPERLENS_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = converters.get(f.name, str)(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
