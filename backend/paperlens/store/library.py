"""Reading lists in Redis: one per user, private, durable, and safe under concurrent edits.

Per user (all under the user's hash tag, so one Cluster slot, and never with a TTL):
  lib:saved            sorted set  paper id -> saved time in ms (the order of the list)
  lib:entry:<id>       hash        note, saved_at, updated_at, paper (a JSON copy of its metadata)
  lib:tags:<id>        set         the entry's tags
  lib:dismissed        sorted set  paper id -> when it was marked "not interested"

Every change is one Lua script (or one command), so it checks and changes in one step: an edit
racing a removal never leaves a half entry behind, and tags are set members, so twenty clients
adding twenty tags at once end with twenty tags. A change is acknowledged once a replica has it
(store/replication.py). The copy of the paper's metadata keeps an entry whole (and
exportable) even if the corpus it came from were lost.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import redis

from ..corpus.list_limits import MAX_TAGS
from .keys import Keys
from .replication import Replication


# KEYS: saved, entry, tags, dismissed.  ARGV: 1 id, 2 now_ms, 3 saved_at_ms ("" = now), 4 paper json
# ("" = keep), 5 note flag ("1" = set the note), 6 tags mode ("keep" | "replace" | "merge"),
# 7 tags json, 8 max tags, 9 note.
# Returns {created (1/0), saved_at, note, tags...} as written, or {-1, count} when the tags would
# exceed the limit.
_SAVE = """
local id, now = ARGV[1], ARGV[2]
local saved_at = ARGV[3] ~= '' and ARGV[3] or now  -- kept as strings: Lua would print big numbers as 1.7e+12
local old = redis.call('ZSCORE', KEYS[1], id)
local created = 0
local tags = cjson.decode(ARGV[7])
local mode = ARGV[6]
if mode ~= 'keep' then
  local count = 0
  if mode == 'merge' then
    count = redis.call('SCARD', KEYS[3])
    for _, t in ipairs(tags) do
      if redis.call('SISMEMBER', KEYS[3], t) == 0 then count = count + 1 end
    end
  else
    count = #tags
  end
  if count > tonumber(ARGV[8]) then return {-1, count} end
end
if not old then
  created = 1
  -- a key left by nothing should not exist, but never let a stale set leak into a new entry
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('ZADD', KEYS[1], saved_at, id)
  redis.call('HSET', KEYS[2], 'saved_at', saved_at, 'note', '')
elseif ARGV[3] ~= '' and tonumber(saved_at) < tonumber(old) then
  -- an import of an older copy keeps the earlier saved time
  redis.call('ZADD', KEYS[1], saved_at, id)
  redis.call('HSET', KEYS[2], 'saved_at', saved_at)
end
redis.call('HSET', KEYS[2], 'updated_at', now)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], 'paper', ARGV[4]) end
if ARGV[5] == '1' then redis.call('HSET', KEYS[2], 'note', ARGV[9]) end
if mode == 'replace' then redis.call('DEL', KEYS[3]) end
if mode ~= 'keep' and #tags > 0 then redis.call('SADD', KEYS[3], unpack(tags)) end
redis.call('ZREM', KEYS[4], id)
return {created, redis.call('ZSCORE', KEYS[1], id), redis.call('HGET', KEYS[2], 'note') or '',
        unpack(redis.call('SMEMBERS', KEYS[3]))}
"""

# KEYS: saved, entry, tags.  ARGV: 1 id, 2 now_ms, 3 note flag, 4 note, 5 tags json or "" (replace),
# 6 add json, 7 remove json, 8 max tags.  Returns {0} when not in the list, {-1, count} over the tag
# limit, else {1, saved_at, note, tags...} as written.
_EDIT = """
local saved_at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not saved_at then return {0} end
local replace = ARGV[5] ~= '' and cjson.decode(ARGV[5]) or nil
local add, remove = cjson.decode(ARGV[6]), cjson.decode(ARGV[7])
local final = {}
if replace then
  for _, t in ipairs(replace) do final[t] = true end
else
  for _, t in ipairs(redis.call('SMEMBERS', KEYS[3])) do final[t] = true end
end
for _, t in ipairs(add) do final[t] = true end
for _, t in ipairs(remove) do final[t] = nil end
local count = 0
for _ in pairs(final) do count = count + 1 end
if count > tonumber(ARGV[8]) then return {-1, count} end
if replace then redis.call('DEL', KEYS[3]) end
if replace and #replace > 0 then redis.call('SADD', KEYS[3], unpack(replace)) end
if #add > 0 then redis.call('SADD', KEYS[3], unpack(add)) end
if #remove > 0 then redis.call('SREM', KEYS[3], unpack(remove)) end
if ARGV[3] == '1' then redis.call('HSET', KEYS[2], 'note', ARGV[4]) end
redis.call('HSET', KEYS[2], 'updated_at', ARGV[2])
return {1, saved_at, redis.call('HGET', KEYS[2], 'note') or '', unpack(redis.call('SMEMBERS', KEYS[3]))}
"""

# KEYS: saved, dismissed.  Returns the SHA-1 of both sets' members (in their order), so a caller can
# tell whether the list changed without reading it.
_FINGERPRINT = """
return redis.sha1hex(table.concat(redis.call('ZRANGE', KEYS[1], 0, -1), '\\n') .. '\\0' ..
                     table.concat(redis.call('ZRANGE', KEYS[2], 0, -1), '\\n'))
"""

# KEYS: saved, entry, tags.  ARGV: id.  Returns 1 when removed, 0 when it was not in the list.
_REMOVE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
return 1
"""


class TooManyTags(ValueError):
    def __init__(self, count: int):
        super().__init__(f"an entry holds at most {MAX_TAGS} tags; this change would leave {count}")
        self.count = count


@dataclass
class Entry:
    paper_id: str
    saved_at_ms: int
    note: str = ""
    tags: list[str] = field(default_factory=list)
    paper: dict | None = None  # the metadata copy saved with the entry


def _entry(paper_id: str, answer: list, paper: dict | None) -> Entry:
    saved_at, note, *tags = answer
    return Entry(paper_id, int(float(saved_at)), note or "", sorted(tags), paper)


def now_ms() -> int:
    return int(time.time() * 1000)


class ReadingList:
    """One user's reading list. Paper ids are the ids papers are stored under (resolve first)."""

    def __init__(self, client: redis.Redis, keys: Keys, user: str, replication: Replication):
        self.r = client
        self.keys = keys
        self.user = user
        self.acked = replication  # every change returns only once a replica has it (store/replication.py)
        self.saved_key = keys.library_saved(user)
        self.dismissed_key = keys.library_dismissed(user)

    def _entry_keys(self, paper_id: str) -> list[str]:
        return [self.saved_key, self.keys.library_entry(self.user, paper_id),
                self.keys.library_tags(self.user, paper_id)]

    # -- reading ------------------------------------------------------------------------------
    def contains(self, ids: list[str]) -> list[bool]:
        if not ids:
            return []
        return [score is not None for score in self.r.zmscore(self.saved_key, ids)]

    def fingerprint(self) -> str:
        """A digest of the saved and dismissed ids, which changes whenever either set does (and
        when a saved time moves); one round trip, whatever the list's size."""
        return self.r.eval(_FINGERPRINT, 2, self.saved_key, self.dismissed_key)

    def ids(self, newest_first: bool = True) -> list[str]:
        """Saved ids in saved order (equal times: by id), in one round trip."""
        if newest_first:
            return list(self.r.zrevrange(self.saved_key, 0, -1))
        return list(self.r.zrange(self.saved_key, 0, -1))

    def tags_of(self, ids: list[str]) -> list[set[str]]:
        """The tags of each entry, in one round trip."""
        pipe = self.r.pipeline(transaction=False)
        for paper_id in ids:
            pipe.smembers(self.keys.library_tags(self.user, paper_id))
        return pipe.execute() if ids else []

    def entries(self, ids: list[str] | None = None) -> list[Entry]:
        """Entries for `ids` (all, newest first, when None); ids not in the list are left out."""
        if ids is None:
            scored = self.r.zrevrange(self.saved_key, 0, -1, withscores=True)
        else:
            pipe = self.r.pipeline(transaction=False)
            for paper_id in ids:
                pipe.zscore(self.saved_key, paper_id)
            scored = [(i, s) for i, s in zip(ids, pipe.execute()) if s is not None]
        if not scored:
            return []
        pipe = self.r.pipeline(transaction=False)
        for paper_id, _ in scored:
            pipe.hgetall(self.keys.library_entry(self.user, paper_id))
            pipe.smembers(self.keys.library_tags(self.user, paper_id))
        answers = pipe.execute()
        entries = []
        for n, (paper_id, score) in enumerate(scored):
            data, tags = answers[2 * n], answers[2 * n + 1]
            try:
                paper = json.loads(data["paper"]) if data.get("paper") else None
            except ValueError:
                paper = None
            entries.append(Entry(paper_id, int(score), data.get("note") or "", sorted(tags), paper))
        return entries

    # -- writing ------------------------------------------------------------------------------
    def save(self, paper_id: str, paper: dict | None = None, *, tags: list[str] | None = None,
             note: str | None = None, saved_at_ms: int | None = None,
             merge_tags: bool = False) -> tuple[bool, Entry]:
        """Save or update an entry in one atomic step: (True when it is new, the entry as written). `tags=None` keeps the
        tags, a list replaces them (or is added to them with merge_tags). `note=None` keeps the note.
        `saved_at_ms` (imports) sets the saved time of a new entry and moves an existing one earlier."""
        mode = "keep" if tags is None else ("merge" if merge_tags else "replace")
        keys = self._entry_keys(paper_id) + [self.dismissed_key]
        args = [paper_id, now_ms(), "" if saved_at_ms is None else int(saved_at_ms),
                json.dumps(paper, ensure_ascii=False) if paper else "",
                "0" if note is None else "1", mode, json.dumps(tags or []), MAX_TAGS, note or ""]
        answer = self.acked.eval(_SAVE, keys, args)
        if answer[0] == -1:
            raise TooManyTags(answer[1])
        return answer[0] == 1, _entry(paper_id, answer[1:], paper)

    def edit(self, paper_id: str, *, note: str | None = None, tags: list[str] | None = None,
             add_tags: list[str] = (), remove_tags: list[str] = ()) -> Entry | None:
        """Change an entry's note and tags atomically: the entry as written, None when the paper is
        not in the list."""
        keys = self._entry_keys(paper_id)
        args = [paper_id, now_ms(), "0" if note is None else "1", note or "",
                "" if tags is None else json.dumps(list(tags)), json.dumps(list(add_tags)),
                json.dumps(list(remove_tags)), MAX_TAGS]
        answer = self.acked.eval(_EDIT, keys, args)
        if answer[0] == -1:
            raise TooManyTags(answer[1])
        return _entry(paper_id, answer[1:], None) if answer[0] == 1 else None

    def remove(self, paper_id: str) -> bool:
        keys = self._entry_keys(paper_id)
        return self.acked.eval(_REMOVE, keys, [paper_id]) == 1

    # -- "not interested" -----------------------------------------------------------------------
    def dismiss(self, paper_id: str) -> None:
        self.acked.execute(self.dismissed_key, "ZADD", self.dismissed_key, now_ms(), paper_id)

    def undismiss(self, paper_id: str) -> bool:
        return self.acked.execute(self.dismissed_key, "ZREM", self.dismissed_key, paper_id) == 1

    def dismissed(self) -> list[str]:
        return list(self.r.zrevrange(self.dismissed_key, 0, -1))
