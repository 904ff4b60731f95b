"""`chargebook simulator easee`: account listing, option checks and a real served process."""

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
        app, ["simulator", "easee", "--accounts", "2", "--seed", "5", "--print-accounts"]
    )
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    assert [line[:2] for line in lines] == [
        ["demo@example.com", "demo-password"],
        ["user001@example.com", "user001-password"],
    ]
    assert all(len(line[3].split(",")) == 2 for line in lines)


def test_invalid_options_are_rejected() -> None:
    result = CliRunner().invoke(app, ["simulator", "easee", "--fault-rate", "2"])
    assert result.exit_code != 0
    assert "fault_rate" in result.output


@pytest.mark.slow
def test_serves_the_api_on_the_given_port() -> None:
    port = free_port()
    command = [sys.executable, "-m", "chargebook", "simulator", "easee", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/api/accounts/login",
                    json={"userName": "demo@example.com", "password": "demo-password"},
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the simulator did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        token = response.json()["accessToken"]
        chargers = httpx.get(
            f"http://127.0.0.1:{port}/api/chargers", headers={"Authorization": f"Bearer {token}"}
        )
        assert len(chargers.json()) == 2
    finally:
        process.terminate()
        process.wait(timeout=10)
