"""A docs page that several benchmarks write (docs/quality.md): each owns one marked section and
rewrites only that one, so running one benchmark never drops another's results."""

from __future__ import annotations

import re
from pathlib import Path

HEADER = ("# Quality\n\nEach section below is written by the benchmark it names, from one run; do not edit "
          "them by hand.\n")


def write_section(path: Path, name: str, text: str) -> None:
    """Put `text` in the section `name` of the page at `path` (appended when new)."""
    start, end = f"<!-- section: {name} -->", f"<!-- end: {name} -->"
    block = f"{start}\n{text.strip()}\n{end}"
    page = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    page = pattern.sub(lambda _: block, page) if pattern.search(page) else page.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
