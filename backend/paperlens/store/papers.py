"""Papers in Redis: storing with merge of duplicates, looking up by any alias, and the corpus log
that tells the index what changed.

Writing a chunk of papers takes steps that each touch one key, or run one script over the
{corpus} keys (one hash slot), so the same code runs on one Redis and on a Redis Cluster. Every
step is safe to repeat, and they run in this order:
  1. claim    SET paper:<id> NX for each new paper (a claim that fails: someone stored it first);
  2. begin    one script: log 'a:<id>' (and when it joined) for each claimed paper not logged
              before (the `logged` set makes a repeat a no-op), mark each merge about to be written
              as pending, bump the version when it logged something;
  3. write    SET NX of every alias but the paper's own id, then the merged records, then each
              paper's own-id alias, last: that alias is what says "finished";
  4. finish   one script: log 'u:<id>' for each merge that changed the indexed text, clear the
              pending marks, bump the version.
A writer stopped anywhere leaves finished papers and, at worst, claims without their own alias (the
next add of such a paper finishes it, logging it at most once) or pending merges; `paperlens
doctor` finds and finishes both.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Iterable, Iterator

import redis

from ..corpus.paper import Paper, clean_arxiv_id, merge, page_url, url_key
from .keys import Keys
from .redis_client import mget

# KEYS: log, logged, pending, count, version, joined.  ARGV: 1 how many ids to log, 2 now (ms), then
# the ids to log, then the ids of merges about to be written.  Returns how many ids it logged.
_BEGIN = """
local n = tonumber(ARGV[1])
local logged = 0
for i = 3, n + 2 do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[1], 'a:' .. ARGV[i])
    redis.call('ZADD', KEYS[6], 'NX', ARGV[2], ARGV[i])
    logged = logged + 1
  end
end
for i = n + 3, #ARGV do redis.call('SADD', KEYS[3], ARGV[i]) end
if logged > 0 then
  redis.call('INCRBY', KEYS[4], logged)
  redis.call('INCR', KEYS[5])
end
return logged
"""

# KEYS: log, pending, version.  ARGV: 'u:<id>' (a written merge changed the indexed text: the index
# must read it again) or '-:<id>' (it did not).
_FINISH = """
for _, entry in ipairs(ARGV) do
  if string.sub(entry, 1, 1) == 'u' then redis.call('RPUSH', KEYS[1], entry) end
  redis.call('SREM', KEYS[2], string.sub(entry, 3))
end
return redis.call('INCR', KEYS[3])
"""


@dataclass(frozen=True)
class Stored:
    id: str
    status: str  # "added" | "merged" | "unchanged"


@dataclass(frozen=True)
class Write:
    """One paper's share of a chunk's writes."""
    paper: Paper
    log_added: bool  # its 'a:' entry is due (a new paper, or a claim found unfinished)
    record: bool  # its record must be (re)written: a merge
    text_changed: bool  # ... and what the index ranks changed with it


class PaperStore:
    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys
        self.clock = time.time  # when papers join (tests set it)
        self._begin = client.register_script(_BEGIN)
        self._finish = client.register_script(_FINISH)

    # -- reading ------------------------------------------------------------------------------
    def resolve(self, paper_id: str) -> str | None:
        """The id a paper is stored under, given any of its ids (arxiv:, doi:, title:)."""
        if self.r.exists(self.keys.paper(paper_id)):
            return paper_id
        return self.r.get(self.keys.alias(paper_id))

    def get(self, paper_id: str) -> Paper | None:
        """The stored paper for any of its ids: one round trip when given the id it is stored under."""
        raw = self.r.get(self.keys.paper(paper_id))
        if raw is None:
            stored = self.r.get(self.keys.alias(paper_id))
            raw = self.r.get(self.keys.paper(stored)) if stored else None
        return _decode(raw) if raw else None

    def resolve_many(self, ids: list[str]) -> list[str | None]:
        """resolve() of each id, in one round trip."""
        if not ids:
            return []
        pipe = self.r.pipeline(transaction=False)
        for paper_id in ids:
            pipe.exists(self.keys.paper(paper_id))
            pipe.get(self.keys.alias(paper_id))
        found = pipe.execute()
        return [paper_id if exists else alias for paper_id, exists, alias in zip(ids, found[::2], found[1::2])]

    def joined_between(self, start_ms: int, end_ms: int, limit: int) -> list[tuple[str, int]]:
        """(id, ms) of the papers that joined the corpus from start_ms to end_ms (both included),
        the newest `limit` of them, newest first."""
        found = self.r.zrevrangebyscore(self.keys.corpus_joined, end_ms, start_ms, start=0, num=limit,
                                        withscores=True)
        return [(paper_id, int(ms)) for paper_id, ms in found]

    def id_by_url(self, url: str) -> str | None:
        """The id of the paper stored with this URL (as corpus.paper.url_key compares them)."""
        key = url_key(url)
        return self.r.get(self.keys.paper_url(key)) if key else None

    def get_many(self, ids: list[str]) -> list[Paper | None]:
        raws = mget(self.r, [self.keys.paper(i) for i in ids])
        return [_decode(raw) if raw else None for raw in raws]

    def count(self) -> int:
        return int(self.r.get(self.keys.corpus_count) or 0)

    def version(self) -> int:
        return int(self.r.get(self.keys.corpus_version) or 0)

    def log_length(self) -> int:
        return int(self.r.llen(self.keys.corpus_log))

    def mark_demo(self) -> None:
        """Remember that what the corpus holds now is the demo corpus."""
        self.r.set(self.keys.corpus_demo, self.log_length())

    def is_demo(self) -> bool:
        """Whether the corpus is still only the demo (nothing added or changed since it was loaded)."""
        loaded = self.r.get(self.keys.corpus_demo)
        return loaded is not None and self.log_length() <= int(loaded)

    def log_entries(self, start: int, end: int = -1) -> list[str]:
        return self.r.lrange(self.keys.corpus_log, start, end)

    def iter_logged(self, start: int = 0, batch: int = 2000) -> Iterator[tuple[int, str, Paper | None]]:
        """(position, entry kind 'a'/'u', paper) for each corpus log entry from `start`."""
        pos = start
        while True:
            entries = self.log_entries(pos, pos + batch - 1)
            if not entries:
                return
            papers = self.get_many([e[2:] for e in entries])
            for offset, (entry, paper) in enumerate(zip(entries, papers)):
                yield pos + offset, entry[0], paper
            pos += len(entries)

    # -- writing ------------------------------------------------------------------------------
    def add_many(self, papers: Iterable[Paper], batch: int = 500) -> Iterator[Stored]:
        """Store papers, merging each with the stored paper that shares an alias with it."""
        chunk: list[Paper] = []
        for paper in papers:
            if not paper.id:
                raise ValueError(f"paper {paper.title[:60]!r} has no id: give a title with letters or digits, an arXiv id or a DOI")
            chunk.append(paper)
            if len(chunk) >= batch:
                yield from self._add_chunk(chunk)
                chunk = []
        if chunk:
            yield from self._add_chunk(chunk)

    def _add_chunk(self, chunk: list[Paper]) -> list[Stored]:
        # Duplicates within the chunk merge first, so one round trip per step suffices.
        unique: dict[str, Paper] = {}
        alias_to_key: dict[str, str] = {}
        given: dict[str, set[str]] = {}  # every id the papers merged under a key arrived with
        order: list[str] = []
        for paper in chunk:
            key = next((alias_to_key[a] for a in paper.aliases() if a in alias_to_key), None)
            if key is None:
                key = paper.id
                unique[key] = paper
            else:
                unique[key] = merge(unique[key], paper)
            for a in paper.aliases():
                alias_to_key.setdefault(a, key)
            given.setdefault(key, set()).update(paper.aliases())
            order.append(key)

        keys = list(unique)
        pipe = self.r.pipeline(transaction=False)
        for key in keys:
            for a in unique[key].aliases():
                pipe.get(self.keys.alias(a))
        found = iter(pipe.execute())
        existing_id: dict[str, str | None] = {}
        for key in keys:
            hits = [next(found) for _ in unique[key].aliases()]
            existing_id[key] = next((h for h in hits if h), None)
        stored_keys = [k for k in keys if existing_id[k]]
        old_raw = dict(zip(stored_keys, mget(self.r, [self.keys.paper(existing_id[k]) for k in stored_keys])))

        results: dict[str, Stored] = {}
        finals: dict[str, tuple[Paper, Paper | None, str]] = {}
        for key in keys:
            paper = unique[key]
            raw = old_raw.get(key)
            old = _decode(raw) if raw else None
            if old is None:
                finals[key] = (paper, None, "added")
            else:
                final = merge(old, paper)
                status = "unchanged" if final.to_dict() == old.to_dict() else "merged"
                finals[key] = (final, old, status)

        # 1. claim. A claim that fails means the paper is stored: either another writer added it a
        # moment ago (its aliases exist: it goes round again as a merge), or a writer claimed it
        # and stopped before finishing (no alias yet): this add finishes it.
        new_keys = [k for k in keys if finals[k][2] == "added"]
        pipe = self.r.pipeline(transaction=False)
        for key in new_keys:
            final = finals[key][0]
            pipe.set(self.keys.paper(final.id), _encode(final), nx=True)
        lost = [k for k, ok in zip(new_keys, pipe.execute()) if not ok]
        if lost:
            pipe = self.r.pipeline(transaction=False)
            for key in lost:
                pipe.get(self.keys.alias(finals[key][0].id))
                pipe.get(self.keys.paper(finals[key][0].id))
            found = pipe.execute()
            again = []
            for key, alias, raw in zip(lost, found[::2], found[1::2]):
                if alias or raw is None:
                    again.append(key)
                    del finals[key]
                else:
                    claimed = _decode(raw)
                    finals[key] = (merge(claimed, finals[key][0]), claimed, "finish")
            for key, stored in zip(again, self._add_chunk([unique[k] for k in again])):
                results[key] = stored

        writes = []
        for key, (final, old, status) in finals.items():
            results[key] = Stored(final.id, "added" if status == "finish" else status)
            if status == "unchanged":
                continue
            record = status == "merged" or (status == "finish" and final.to_dict() != old.to_dict())
            writes.append(Write(final, log_added=status in ("added", "finish"), record=record,
                                text_changed=record and final.indexed_text != old.indexed_text))
        if writes:
            self._write(writes)
        # A paper that merged into one stored under another id (a second arXiv id with the same
        # title) keeps its own ids: they lead to the stored paper, merged or unchanged.
        pipe = self.r.pipeline(transaction=False)
        for key, (final, _, _) in finals.items():
            for a in sorted(given[key] - set(final.aliases()) - {final.id}):
                pipe.set(self.keys.alias(a), final.id, nx=True)
            # The URLs it arrived with find it too (a PDF link: GET /papers/lookup). One key per
            # URL, a single-key step on a Cluster; the paper a URL first came with keeps it. An
            # arXiv or doi.org page says its id already (the lookup reads it from the URL): a
            # corpus of arXiv papers adds no keys at all.
            for url in {final.url, unique[key].url} - {page_url(final.arxiv_id, final.doi, None)}:
                if url_key(url) and not clean_arxiv_id(url):
                    pipe.set(self.keys.paper_url(url_key(url)), final.id, nx=True)
        if len(pipe):
            pipe.execute()
        # A paper given twice in one call: the first is added, the later ones merge into it.
        answers, seen = [], set()
        for key in order:
            stored = results[key]
            answers.append(Stored(stored.id, "merged") if key in seen and stored.status == "added" else stored)
            seen.add(key)
        return answers

    def _write(self, writes: list[Write]) -> None:
        """Steps 2-4 of the module docstring for claimed papers and merges."""
        logged = [w.paper.id for w in writes if w.log_added]
        records = [w for w in writes if w.record]
        self._log_added(logged, [w.paper.id for w in records])
        pipe = self.r.pipeline(transaction=False)
        for w in writes:
            for a in w.paper.aliases():
                if a != w.paper.id:
                    pipe.set(self.keys.alias(a), w.paper.id, nx=True)
        pipe.execute()
        if records:
            pipe = self.r.pipeline(transaction=False)
            for w in records:
                pipe.set(self.keys.paper(w.paper.id), _encode(w.paper))
            pipe.execute()
        pipe = self.r.pipeline(transaction=False)
        for w in writes:
            pipe.set(self.keys.alias(w.paper.id), w.paper.id, nx=True)
        pipe.execute()
        if records:
            self._finish_merges([("u:" if w.text_changed else "-:") + w.paper.id for w in records])

    def _log_added(self, ids: list[str], merging: list[str] = ()) -> None:
        """Step 2: log each id once (and when it joined), mark the merges as pending."""
        k = self.keys
        self._begin(keys=[k.corpus_log, k.corpus_logged, k.corpus_pending, k.corpus_count, k.corpus_version,
                          k.corpus_joined], args=[len(ids), int(self.clock() * 1000), *ids, *merging])

    def _finish_merges(self, entries: list[str]) -> None:
        self._finish(keys=[self.keys.corpus_log, self.keys.corpus_pending, self.keys.corpus_version], args=entries)

    # -- checking and repairing ----------------------------------------------------------------
    def checkup(self, batch: int = 1000) -> "Checkup":
        """Papers stored but not finished: a record without the alias of its own id (a writer
        stopped between claiming the id and setting its aliases), a finished record the corpus
        log never named (older versions could store a paper and stop before logging it), or
        a merge a writer stopped in the middle of. The first two answer GET but may miss search or a
        look-up by another id; repair() finishes all three."""
        logged = {entry[2:] for entry in self.r.lrange(self.keys.corpus_log, 0, -1) if entry.startswith("a:")}
        prefix = self.keys.paper("")
        scanned, unfinished, unlogged = 0, [], []
        names: list[str] = []
        for name in self.r.scan_iter(match=_glob_escape(prefix) + "*", count=batch):
            names.append(name)
            if len(names) >= batch:
                scanned += self._check_batch(names, prefix, logged, unfinished, unlogged)
                names = []
        scanned += self._check_batch(names, prefix, logged, unfinished, unlogged)
        pending = sorted(self.r.smembers(self.keys.corpus_pending))
        return Checkup(scanned, sorted(unfinished), sorted(unlogged), pending)

    def _check_batch(self, names, prefix, logged, unfinished, unlogged) -> int:
        ids = [name[len(prefix):] for name in names]
        aliases = mget(self.r, [self.keys.alias(i) for i in ids])
        for paper_id, alias in zip(ids, aliases):
            if alias is None:
                unfinished.append(paper_id)
            elif paper_id not in logged:
                unlogged.append(paper_id)
        return len(ids)

    def repair(self, checkup: "Checkup") -> int:
        """Finish what checkup() found; returns how many papers were repaired."""
        papers = [p for p in self.get_many(checkup.unfinished) if p is not None]
        finished = list(self.add_many(papers))
        if checkup.unlogged:
            self._log_added(checkup.unlogged)
        if checkup.pending:
            # The merge may have written its record or not: the index reads the paper again either way.
            self._finish_merges([f"u:{paper_id}" for paper_id in checkup.pending])
        return len(finished) + len(checkup.unlogged) + len(checkup.pending)


@dataclass(frozen=True)
class Checkup:
    papers: int
    unfinished: list[str]
    unlogged: list[str]
    pending: list[str]

    @property
    def healthy(self) -> bool:
        return not self.unfinished and not self.unlogged and not self.pending


def _glob_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


def _encode(paper: Paper) -> str:
    return json.dumps(paper.to_dict(), ensure_ascii=False)


def _decode(raw: str) -> Paper:
    data = json.loads(raw)
    paper = Paper.from_dict(data)
    paper.id = data.get("id") or paper.id  # a merged paper keeps the id it was first stored under
    return paper
