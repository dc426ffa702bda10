"""`paperlens serve` compiles every ranking kernel before it listens (ranking/warm.py), so no
request waits on numba: the warm-up must reach every kernel the ranking room has."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from paperlens.ranking import warm

RANKING = Path(warm.__file__).parent


def test_every_module_with_kernels_is_warmed():
    with_kernels = {p.stem for p in RANKING.glob("*.py") if re.search(r"@numba\.njit", p.read_text())}
    assert with_kernels == set(warm.KERNEL_MODULES)
    assert len(warm.kernels()) >= 20


@pytest.mark.slow  # a cold numba cache: about 20-50 s of compiling
def test_the_warm_up_compiles_every_kernel_from_a_cold_cache(tmp_path):
    script = "from paperlens.ranking import warm; warm.compile_kernels(); print(warm.uncompiled(), warm.cached())"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True"
