"""Papers in Redis: storing with merge of duplicates, looking up by any alias, and the corpus log
that tells the index what changed."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Iterable, Iterator

import redis

from ..corpus.paper import Paper, merge
from .keys import Keys


@dataclass(frozen=True)
class Stored:
    id: str
    status: str  # "added" | "merged" | "unchanged"


class PaperStore:
    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys
        self.clock = time.time  # when papers join (tests set it)

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

    def get_many(self, ids: list[str]) -> list[Paper | None]:
        if not ids:
            return []
        raws = self.r.mget([self.keys.paper(i) for i in ids])
        return [_decode(raw) if raw else None for raw in raws]

    def count(self) -> int:
        return int(self.r.get(self.keys.corpus_count) or 0)

    def version(self) -> int:
        return int(self.r.get(self.keys.corpus_version) or 0)

    def log_length(self) -> int:
        return int(self.r.llen(self.keys.corpus_log))

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
        # Duplicates within the chunk merge first, so one round trip per chunk suffices.
        unique: dict[str, Paper] = {}
        alias_to_key: dict[str, str] = {}
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

        old_raw = self.r.mget([self.keys.paper(existing_id[k]) for k in keys if existing_id[k]]) if any(
            existing_id.values()
        ) else []
        old_iter = iter(old_raw)

        results: dict[str, Stored] = {}
        finals: dict[str, tuple[Paper, Paper | None, str]] = {}
        for key in keys:
            paper = unique[key]
            stored_id = existing_id[key]
            old = _decode(next(old_iter)) if stored_id else None
            if old is None:
                finals[key] = (paper, None, "added")
            else:
                final = merge(old, paper)
                status = "unchanged" if final.to_dict() == old.to_dict() else "merged"
                finals[key] = (final, old, status)

        # Claim new ids with SET NX. A claim that fails means the paper is stored: either another
        # writer added it a moment ago (its aliases exist: it goes round again as a merge), or a
        # writer claimed it and died before finishing (no alias yet): this add finishes it.
        new_keys = [k for k in keys if finals[k][2] == "added"]
        pipe = self.r.pipeline(transaction=False)
        for key in new_keys:
            final = finals[key][0]
            pipe.set(self.keys.paper(final.id), json.dumps(final.to_dict(), ensure_ascii=False), nx=True)
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

        # One transaction finishes every paper of the chunk: its log entry, aliases, the count and
        # the version land together or not at all, so a writer killed at any point leaves either a
        # finished paper or a bare claim that the next add of it finishes.
        pipe = self.r.pipeline(transaction=True)
        added = 0
        changed = False
        joined = int(self.clock() * 1000)
        for key, (final, old, status) in finals.items():
            results[key] = Stored(final.id, "added" if status == "finish" else status)
            if status == "unchanged":
                continue
            changed = True
            if status == "merged" or (status == "finish" and final.to_dict() != old.to_dict()):
                pipe.set(self.keys.paper(final.id), json.dumps(final.to_dict(), ensure_ascii=False))
            for a in {final.id, *final.aliases()}:
                pipe.set(self.keys.alias(a), final.id, nx=True)
            if status in ("added", "finish"):
                pipe.rpush(self.keys.corpus_log, f"a:{final.id}")
                pipe.zadd(self.keys.corpus_joined, {final.id: joined}, nx=True)
                added += 1
            elif final.indexed_text != old.indexed_text:
                pipe.rpush(self.keys.corpus_log, f"u:{final.id}")
        if changed:
            if added:
                pipe.incrby(self.keys.corpus_count, added)
            pipe.incr(self.keys.corpus_version)
            pipe.execute()
        # A paper given twice in one call: the first is added, the later ones merge into it.
        answers, seen = [], set()
        for key in order:
            stored = results[key]
            answers.append(Stored(stored.id, "merged") if key in seen and stored.status == "added" else stored)
            seen.add(key)
        return answers


    # -- checking and repairing ----------------------------------------------------------------
    def checkup(self, batch: int = 1000) -> "Checkup":
        """Papers stored but not finished: a record without the alias of its own id (a writer
        stopped between claiming the id and the transaction that finishes it), or a finished
        record the corpus log never named (written before ingest finished papers in one
        transaction). Either answers GET but never reaches search; repair() finishes both."""
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
        return Checkup(scanned, sorted(unfinished), sorted(unlogged))

    def _check_batch(self, names, prefix, logged, unfinished, unlogged) -> int:
        ids = [name[len(prefix):] for name in names]
        aliases = self.r.mget([self.keys.alias(i) for i in ids]) if ids else []
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
            pipe = self.r.pipeline(transaction=True)
            joined = int(self.clock() * 1000)
            for paper_id in checkup.unlogged:
                pipe.rpush(self.keys.corpus_log, f"a:{paper_id}")
                pipe.zadd(self.keys.corpus_joined, {paper_id: joined}, nx=True)
            pipe.incrby(self.keys.corpus_count, len(checkup.unlogged))
            pipe.incr(self.keys.corpus_version)
            pipe.execute()
        return len(finished) + len(checkup.unlogged)


@dataclass(frozen=True)
class Checkup:
    papers: int
    unfinished: list[str]
    unlogged: list[str]

    @property
    def healthy(self) -> bool:
        return not self.unfinished and not self.unlogged


def _glob_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


def _decode(raw: str) -> Paper:
    data = json.loads(raw)
    paper = Paper.from_dict(data)
    paper.id = data.get("id") or paper.id  # a merged paper keeps the id it was first stored under
    return paper
