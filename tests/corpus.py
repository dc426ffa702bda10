"""The tests' data: the fixtures folder and the 85-paper demo corpus as Paper records."""

from __future__ import annotations

from pathlib import Path

from paperlens.corpus.paper import Paper
from paperlens.corpus.sources import read_records

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_CORPUS = FIXTURES / "formats" / "hf-daily-seed.txt"  # the 85 papers of ../shared/seed


def demo_papers() -> list[Paper]:
    return [r for r in read_records(DEMO_CORPUS, "hf-daily", year=2025) if isinstance(r, Paper)]
