"""Four processes over one memory-mapped snapshot: what each holds (RSS, PSS, USS).

Each process loads the saved Paperlens snapshot exactly as a gunicorn worker does
(snapshot.load, np.load(mmap_mode="r")), answers related-papers queries until it has touched
every posting list they need, then reports; the numbers come from /proc/<pid>/smaps_rollup.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from . import corpora, engines

WORKER = r"""
import sys, json
from pathlib import Path
from paperlens.ranking import snapshot
sys.path.insert(0, {root!r})
from bench import queries
path = Path({path!r})
index, _ = snapshot.load(next(p for p in path.iterdir() if p.name.startswith("v")))
for item in queries.load({n})["long"][:100] + queries.load({n})["short"][:100]:
    index.rank(index.query(item["tokens"]), 10)
print("ready", flush=True)
sys.stdin.read()
"""


def smaps_rollup(pid: int) -> dict:
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                values[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return {"rss_mb": values.get("Rss", 0), "pss_mb": values.get("Pss", 0),
            "uss_mb": values.get("Private_Clean", 0) + values.get("Private_Dirty", 0),
            "shared_mb": values.get("Shared_Clean", 0) + values.get("Shared_Dirty", 0)}


def measure(n: int, workers: int = 4) -> dict:
    path = engines.index_dir("paperlens", n)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(corpora.HERE.parent / "backend"), str(corpora.HERE.parent)]))
    code = WORKER.format(root=str(corpora.HERE.parent), path=str(path), n=n)
    procs = [subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
             for _ in range(workers)]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        per = [smaps_rollup(proc.pid) for proc in procs]
    finally:
        for proc in procs:
            proc.stdin.close()
            proc.wait(timeout=60)
    index_mb = engines.folder_mb(path)
    return {"n": n, "workers": per, "index_on_disk_mb": index_mb,
            "sum_pss_mb": sum(w["pss_mb"] for w in per), "sum_rss_mb": sum(w["rss_mb"] for w in per)}
