"""Every Redis key Paperlens uses, built in one place.

All keys share a prefix. Keys of one user carry the hash tag {u:<user>} so a user's list lives in
one Redis Cluster slot and can be changed atomically; corpus bookkeeping keys share {corpus}, and
every key of the sync feeds (definitions, schedule, status, checkpoints, the lock) shares {feeds}.
Paper, alias, token and cache keys carry no tag: they spread over the Cluster, and every step that
writes them touches one key (store/papers.py and store/tokens.py say in which order).
Library keys never carry a TTL and never share the cache's key space.
"""

from __future__ import annotations

import hashlib


class Keys:
    def __init__(self, prefix: str = "pl"):
        self.prefix = prefix

    # -- corpus ---------------------------------------------------------------------------
    def paper(self, paper_id: str) -> str:
        return f"{self.prefix}:paper:{paper_id}"

    def alias(self, alias: str) -> str:
        """arxiv:/doi:/title: alias -> the id the paper is stored under."""
        return f"{self.prefix}:alias:{alias}"

    def paper_url(self, url_key: str) -> str:
        """A stored paper's URL (corpus.paper.url_key form, hashed: URLs are long) -> its id."""
        return f"{self.prefix}:url:{hashlib.sha256(url_key.encode()).hexdigest()[:32]}"

    @property
    def corpus_log(self) -> str:
        """Append-only list of 'a:<id>' (added) and 'u:<id>' (indexed text changed) entries: the
        index replays it to catch up without rereading the corpus."""
        return f"{self.prefix}:{{corpus}}:log"

    @property
    def corpus_version(self) -> str:
        return f"{self.prefix}:{{corpus}}:version"

    @property
    def corpus_count(self) -> str:
        return f"{self.prefix}:{{corpus}}:count"

    @property
    def corpus_demo(self) -> str:
        """The corpus-log length right after `paperlens serve` loaded the demo corpus into an empty
        store: while the log is no longer, the corpus is still only the demo."""
        return f"{self.prefix}:{{corpus}}:demo"

    def log_reader(self, name: str) -> str:
        """How far a background reader of the corpus log has got (an entry count), e.g. 'summaries'."""
        return f"{self.prefix}:{{corpus}}:read:{name}"

    def lease(self, name: str) -> str:
        """A lock with a lease for one background job across every process, e.g. 'summaries'."""
        return f"{self.prefix}:{{corpus}}:lease:{name}"

    def paper_vector(self, model: str, paper_id: str) -> str:
        """A paper's embedding under `model` (int8, base64): one key per paper, like the paper's own,
        so vectors spread over a Cluster; a new model starts on keys of its own."""
        return f"{self.prefix}:vec:{model}:{paper_id}"

    @property
    def corpus_joined(self) -> str:
        """Sorted set: paper id -> when it joined the corpus (ms since the epoch), written with its
        log entry; the digest reads a window of it. Papers stored before it existed have none."""
        return f"{self.prefix}:{{corpus}}:joined"

    @property
    def corpus_logged(self) -> str:
        """Set of ids the log has an 'a:' entry for since this key exists: an add that finishes a
        paper another writer already logged does not log it twice."""
        return f"{self.prefix}:{{corpus}}:logged"

    @property
    def corpus_pending(self) -> str:
        """Set of ids whose merge is being written: a writer stopped before it ends one leaves the
        id here for `paperlens doctor` to finish."""
        return f"{self.prefix}:{{corpus}}:pending"

    # -- sync feeds (one hash slot: a feed's definition, schedule and status change together) ------
    def feeds(self, part: str) -> str:
        return f"{self.prefix}:{{feeds}}:{part}"

    @property
    def feed_definitions(self) -> str:
        """Hash: feed id -> JSON {kind, options, every, created}."""
        return self.feeds("defs")

    @property
    def feed_next_id(self) -> str:
        return self.feeds("next-id")

    @property
    def feed_schedule(self) -> str:
        """Sorted set: feed id -> when it is next due (seconds since the epoch)."""
        return self.feeds("due")

    def feed_status(self, feed_id: str) -> str:
        """Hash: last run's start, end, papers added and error; total added; running since."""
        return self.feeds(f"status:{feed_id}")

    def sync_checkpoint(self, source_key: str) -> str:
        """JSON: where a source's sync resumes (shared by every feed and one-off sync with the same
        kind and options)."""
        return self.feeds(f"checkpoint:{source_key}")

    @property
    def sync_lock(self) -> str:
        """One sync at a time across every process sharing this Redis: the holder, with a lease."""
        return self.feeds("lock")

    # -- cache (may be flushed or evicted at any time) ----------------------------------------
    def cache(self, kind: str, *parts: str) -> str:
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()
        return f"{self.prefix}:cache:{kind}:{digest}"

    # -- rate limits (counters of the `limits` library, which expire with their window) ----------
    @property
    def rate_limits(self) -> str:
        """The prefix of the request limiter's and the CPU budget's counters (the library adds the
        limit, the window and the caller after it)."""
        return f"{self.prefix}:ratelimit"

    def costly_in_flight(self, caller: str) -> str:
        """Counter: the costly requests (api/costs.py) one caller has running right now."""
        return f"{self.rate_limits}/cpu-running/{caller}"

    # -- users and tokens -------------------------------------------------------------------
    def token(self, token_hash: str) -> str:
        return f"{self.prefix}:token:{token_hash}"

    @property
    def token_names(self) -> str:
        return f"{self.prefix}:tokens"

    # -- digest feed secrets (a credential for one feed, never a token) -------------------------
    def feed_secret(self, secret_hash: str) -> str:
        """Hash: the user whose digest feed the secret opens, and when it was made."""
        return f"{self.prefix}:feedsecret:{secret_hash}"

    def feed_secret_of(self, user: str) -> str:
        """The hash of the user's current feed secret (a secret whose hash is not this one is void)."""
        return self.user(user, "feed-secret")

    # -- pairing the extension (one-time codes that live minutes) -------------------------------
    @property
    def pairing_codes(self) -> str:
        """Hash: SHA-256 of a live pairing code -> '<expiry ms>:<user>'."""
        return f"{self.prefix}:{{pairing}}:codes"

    @property
    def pairing_failures(self) -> str:
        """Wrong codes tried by every client in the current window (it expires with the window)."""
        return f"{self.prefix}:{{pairing}}:failures"

    def pairing_client_failures(self, client_digest: str) -> str:
        """Wrong codes one client (address and Origin, hashed) tried in the current window."""
        return f"{self.prefix}:{{pairing}}:failures:{client_digest}"

    def user(self, user: str, part: str) -> str:
        return f"{self.prefix}:{{u:{user}}}:{part}"

    # -- reading lists (never a TTL; every key under the user's hash tag) -----------------------
    def library_saved(self, user: str) -> str:
        """Sorted set: saved paper id -> saved time (ms since the epoch)."""
        return self.user(user, "lib:saved")

    def library_entry(self, user: str, paper_id: str) -> str:
        """Hash: note, saved_at, updated_at and a copy of the paper's metadata."""
        return self.user(user, f"lib:entry:{paper_id}")

    def library_tags(self, user: str, paper_id: str) -> str:
        """Set: the entry's tags (a set, so concurrent tag edits never lose one another)."""
        return self.user(user, f"lib:tags:{paper_id}")

    def library_dismissed(self, user: str) -> str:
        """Sorted set: paper ids marked "not interested" -> when (ms)."""
        return self.user(user, "lib:dismissed")
