"""`chargebook simulator zaptec`: the account listing and a real served process."""

from __future__ import annotations

import httpx
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.zaptec import ZaptecSimulator


def test_print_accounts_lists_the_owners_and_the_guest() -> None:
    result = CliRunner().invoke(app, ["simulator", "zaptec", "--accounts", "2", "--print-accounts"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    assert [line[0] for line in lines] == [
        "demo@example.com", "owner2@example.com", "guest@example.com"
    ]  # fmt: skip
    assert lines[0][1] == "demo-password"
    assert lines[2][2] == lines[0][2]  # the guest sees the demo chargers


def test_a_bad_option_is_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["simulator", "zaptec", "--variant-rate", "3"])
    assert result.exit_code != 0
    assert "rates are between 0 and 1" in result.output


def test_served_over_a_real_socket() -> None:
    sim = ZaptecSimulator(clock=SystemClock())
    with ServedApp(sim.app) as served:
        answer = httpx.post(
            served.url + "/oauth/token",
            data={"grant_type": "password", "username": "demo@example.com",
                  "password": "demo-password"},
        )  # fmt: skip
        assert answer.status_code == 200
        token = answer.json()["access_token"]
        chargers = httpx.get(
            served.url + "/api/chargers", headers={"Authorization": f"Bearer {token}"}
        )
        assert chargers.json()["Pages"] == 1
