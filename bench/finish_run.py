"""Finish a bench.run that was stopped after a size (bench/out/results-partial.json): add a
Paperlens-only size measured apart (its build, its queries alone, a paired run of Paperlens alone),
the exactness checks, and write the report. `python -m bench.finish_run N NOTE`

Used when the session's time does not fit the whole run in one process: the report says so in a
note (NOTE), and every figure still comes from the same code and the same measurement functions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import corpora, engines, exactness, report
from .run import ROOT, WARM_PASSES, loadavg


def measure_paired(n: int, repeats: int, out: Path) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "backend")]))
    subprocess.run([sys.executable, "-m", "bench.paired", str(n), str(out), "paperlens", "--repeats",
                    str(repeats), "--warm-passes", str(WARM_PASSES), "--no-copies"], check=True, env=env, cwd=ROOT)


def measure(n: int, n_long: int = 200, n_short: int = 300, repeats: int = 3) -> None:
    """The size's queries alone and its paired run, ahead of main(..., --measured)."""
    engines.run_in_subprocess("serve", "paperlens", n, n_long, n_short)
    measure_paired(n, repeats, corpora.OUT / "results" / f"paired-{n}.json")


def main() -> None:
    n, note = int(sys.argv[1]), sys.argv[2]
    started = time.time()
    results = json.loads((corpora.OUT / "results-partial.json").read_text())
    build = json.loads((corpora.OUT / "results" / f"build-paperlens-{n}.json").read_text())
    build["read_s"] = json.loads((corpora.OUT / "results" / f"read-corpus-{n}.json").read_text())["read_s"]
    results["build"].append(build)
    n_long, n_short = results["plan"]["queries"]
    reuse = "--measured" in sys.argv  # the size's two measurements were already run (`measure` below)
    if reuse:
        results["serve"].append(json.loads((corpora.OUT / "results" / f"serve-paperlens-{n}.json").read_text()))
    else:
        print(f"{n:,}: queries alone", flush=True)
        results["serve"].append(engines.run_in_subprocess("serve", "paperlens", n, n_long, n_short))
    out = corpora.OUT / "results" / f"paired-{n}.json"
    if not reuse:
        print(f"{n:,}: paired (Paperlens alone)", flush=True)
        measure_paired(n, results["plan"]["repeats"], out)
    results["paired"].append(json.loads(out.read_text()))
    print("exactness", flush=True)
    results["exactness"] = exactness.compare_all(results["serve"])
    results["exactness_large"] = exactness.rank_bm25_on_samples(results["target_n"])
    results.setdefault("notes", []).append(note)
    results["load_after"] = loadavg()
    results["total_s"] = results["total_s"] + time.time() - started
    (corpora.OUT / "results.json").write_text(json.dumps(results))
    report.write(results, ROOT / "docs")
    print("wrote docs/benchmarks.md", flush=True)


if __name__ == "__main__":
    main()
