"""`chargebook simulator wallbox`: account listing and a real served process."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.simulator.serve import free_port


def test_print_accounts_lists_every_account_and_exits() -> None:
    result = CliRunner().invoke(
        app, ["simulator", "wallbox", "--accounts", "3", "--seed", "5", "--print-accounts"]
    )
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    assert [line[0] for line in lines] == [
        "demo@example.com", "user001@example.com", "user002@example.com", "guest@example.com"
    ]  # fmt: skip
    assert lines[0][1] == "demo-password"
    assert lines[3][2] == "user"
    assert lines[3][3] == lines[0][3]  # the guest sees the demo chargers
    assert all(len(line[3].split(",")) == 2 for line in lines)


def test_invalid_options_are_rejected() -> None:
    result = CliRunner().invoke(app, ["simulator", "wallbox", "--fault-rate", "2"])
    assert result.exit_code != 0


@pytest.mark.slow
def test_serves_the_api_on_the_given_port() -> None:
    port = free_port()
    command = [sys.executable, "-m", "chargebook", "simulator", "wallbox", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/users/signin",
                    auth=("demo@example.com", "demo-password"),
                    headers={"Partner": "wallbox"},
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.1)
        assert response.status_code == 200
        ttl_ms = response.json()["data"]["attributes"]["ttl"]
        assert abs(ttl_ms / 1000 - (time.time() + 900)) < 60  # SystemClock
    finally:
        process.terminate()
        process.wait(timeout=10)
