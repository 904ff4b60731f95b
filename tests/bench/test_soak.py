"""The chaos and soak harness at a small size, so it cannot rot: 30 accounts with faults, two
`chargebook worker` processes (one SIGKILLed twice), OCPP charge points dropping mid-transaction,
an ERE batch build killed and rerun. Every check of the harness must pass.

Mandatory in CI (marked postgres: CHARGEBOOK_REQUIRE_POSTGRES=1 fails it without a server).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chargebook.db.core.testing import PostgresScratch

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.slow
# About 60 s on an idle 2-core machine; the margins are for a loaded one.
@pytest.mark.timeout(330)
def test_short_soak_passes_every_check(postgres_scratch: PostgresScratch, tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    command = [
        sys.executable, "-m", "bench.soak",
        "--accounts", "30", "--workers", "2", "--minutes", "0.4", "--kill-every", "8",
        "--ocpp-chargers", "4", "--days", "20", "--drop-every", "2", "--drain-timeout", "60",
        "--out", str(out),
        "--postgres-url", os.environ["CHARGEBOOK_TEST_POSTGRES_URL"],
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    result = json.loads(out.read_text())
    assert result["ok"] is True
    names = {check["name"]: check["ok"] for check in result["checks"]}
    assert names == {
        "wallbox sessions in the book exactly once": True,
        "ocpp transactions match the charge points": True,
        "no job stuck or failed": True,
        "workers survived the kills": True,
        "no ERE registered twice": True,
    }
    # The chaos really happened: kills, faults, drops mid-transaction, a killed batch build.
    assert result["kills"] >= 2
    assert sum(result["faults_injected"].values()) > 0
    assert result["ocpp_drops_mid_transaction"] > 0
    assert result["ere"]["registered"] > 0
    assert result["sessions_in_cloud"] > 500
