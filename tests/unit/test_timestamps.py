"""Every instant Paperlens writes (feeds, the digest, exports) is ISO 8601 in UTC with a Z."""

from __future__ import annotations

from paperlens.corpus.timestamps import iso_utc
from paperlens.library.export import ms_from_iso


def test_an_instant_is_written_in_utc_to_the_second():
    assert iso_utc(1_765_013_400.75) == "2025-12-06T09:30:00Z"


def test_an_export_keeps_milliseconds_and_reads_back_the_same_instant():
    written = iso_utc(1_765_013_400_123 / 1000, "milliseconds")
    assert written == "2025-12-06T09:30:00.123Z"
    assert ms_from_iso(written) == 1_765_013_400_123
