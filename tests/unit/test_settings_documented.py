"""Every setting is in the README's settings table, and the table names no setting that does not exist."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from paperlens.settings import Settings

README = Path(__file__).parents[2] / "README.md"


def test_the_readme_table_lists_every_setting():
    table = set(re.findall(r"^\| `(PAPERLENS_[A-Z0-9_]+)` \|", README.read_text(), re.M))
    assert table == {f"PAPERLENS_{f.name.upper()}" for f in fields(Settings)}
