"""Smoke test: the issue 2 and 3 benchmarks still run end to end at a tiny size.

Not a measurement: `python -m bench.run_all --quick` shrinks them to a few accounts and
sessions. Each benchmark checks its own results (ground truth, rate budget, idempotent
re-ingest) and fails loudly, so this catches a benchmark that rotted with the code.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("history_bench", "ingest_bench", "backfill_bench")


def test_benchmarks_run_at_a_tiny_size() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--quick", "--only", *OURS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for name in OURS:
        assert f"== {name} --quick" in output, output
    assert "sessions = ground truth" in output  # history: ours and the PyPI client
    assert "refused (429/403): 0" in output  # history: rate-limited run within budget
    assert "re-ingest (nothing new)" in output
    assert "book = ground truth" in output  # backfill
