"""What a hostile upstream page costs the syncer: each shape is served by the local fake upstream
(bench/fake_upstream.py, on 127.0.0.1) and fetched and parsed by a fresh Python process, which
reports its peak resident memory (VmHWM) and the time the fetch and parse took.

    .venv/bin/python -m bench.hostile_pages

Issue 18, finding 7 measured before the fix: 30 MB of <x/> outside records 952 MB and 35 s, 3 MB
of unclosed nesting 306 MB, HF JSON of 8M {} 2.1 GB and 50 s.
"""

from __future__ import annotations

import json
import subprocess
import sys

from .fake_upstream import OAI_HEAD, FakeUpstream, body, oai_page, synth_catalogue

CHILD = r"""
import json, re, sys, time
from paperlens.sync.polite_http import Politeness, Upstream, UpstreamError
from paperlens.sync.sources import hf_daily, oai
def peak_mb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1)) / 1024
url, reader = sys.argv[1], sys.argv[2]
read = {"oai": oai.read_list, "hf": hf_daily.read_day}[reader]
started = time.monotonic()
try:
    page = Upstream("bench", Politeness(delay=0, timeout=120, retries=0)).get(url, None, read)
    outcome = f"{len(page.records)} records"
except UpstreamError as err:
    outcome = f"refused: {err}"
print(json.dumps({"seconds": time.monotonic() - started, "peak_mb": peak_mb(),
                  "outcome": outcome[:140]}))
"""


def shapes() -> list[tuple[str, str, bytes]]:
    xs = (OAI_HEAD + "<ListRecords>\n" + "<x/>" * (30 * 1024 * 1024 // 4) + "</ListRecords>\n</OAI-PMH>\n").encode()
    nesting = (OAI_HEAD + "<ListRecords>" + "<a>" * (3 * 1024 * 1024 // 3)).encode()
    empties = ("[" + "{}," * 8_000_000 + "{}]").encode()
    real = oai_page(list(reversed(synth_catalogue(1000))), "token|1000", 0, 5000)
    return [("a tiny page (the process's own baseline)", "oai", oai_page(synth_catalogue(1), None, 0, 1)),
            ("a real OAI page: 1,000 records, %.1f MB" % (len(real) / 2**20), "oai", real),
            ("30 MB of <x/> outside records", "oai", xs),
            ("3 MB of unclosed nesting", "oai", nesting),
            ("HF JSON of 8M {} (24 MB)", "hf", empties)]


def main() -> None:
    fake = FakeUpstream().start()
    try:
        print("| page | peak RSS | fetch + parse | outcome |\n|---|---|---|---|")
        for label, reader, content in shapes():
            fake.fixed["other"] = body(content, content_type="text/xml; charset=utf-8")
            done = subprocess.run([sys.executable, "-c", CHILD, f"{fake.url}/page", reader], capture_output=True,
                                  text=True, timeout=600)
            if done.returncode:
                print(f"| {label} | failed: {done.stderr.strip().splitlines()[-1]} | | |")
                continue
            result = json.loads(done.stdout)
            print(f"| {label} | {result['peak_mb']:.0f} MB | {result['seconds']:.2f} s | {result['outcome']} |",
                  flush=True)
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
