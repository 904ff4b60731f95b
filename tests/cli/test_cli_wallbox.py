"""`chargebook wallbox ...` end to end: CliRunner against the simulator served by uvicorn.

The simulator runs on a free loopback port with the real clock (the CLI is a real process
boundary); partner mode keeps the rate limiter out of the way except where a test wants it.
"""

from __future__ import annotations

import csv
import io
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.simulator.serve import ServedApp, free_port
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    GUEST_EMAIL,
    GUEST_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)

runner = CliRunner()


def serve(**overrides: Any) -> tuple[WallboxSimulator, ServedApp]:
    config = SimulatorConfig(
        seed=3,
        accounts=1,
        chargers_per_account=overrides.pop("chargers", 1),
        days=20,
        latency_ms=0,
        slow_answer_s=0.0,
        **overrides,
    )
    sim = WallboxSimulator(config, clock=SystemClock())
    return sim, ServedApp(sim.app)


@pytest.fixture(scope="module")
def partner_sim() -> Iterator[tuple[WallboxSimulator, str]]:
    sim, served = serve(partner_mode=True)
    with served:
        yield sim, served.url


@pytest.fixture
def env(
    partner_sim: tuple[WallboxSimulator, str], monkeypatch: pytest.MonkeyPatch
) -> WallboxSimulator:
    sim, url = partner_sim
    point_at(monkeypatch, url)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_EMAIL", DEMO_EMAIL)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PASSWORD", DEMO_PASSWORD)
    return sim


def point_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    for name in ("CHARGEBOOK_WALLBOX_EMAIL", "CHARGEBOOK_WALLBOX_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_API_URL", url)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_AUTH_URL", url)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PARTNER_MODE", "true")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_MAX_RETRIES", "0")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_TIMEOUT_S", "5")


def invoke(*args: str, input: str | None = None) -> Any:
    return runner.invoke(app, ["wallbox", *args], input=input)


def signins(sim: WallboxSimulator, email: str = DEMO_EMAIL) -> int:
    return sum(1 for r in sim.request_log.get(email, []) if r.path == "/users/signin")


def test_login_stores_tokens_and_later_commands_do_not_sign_in(
    partner_sim: tuple[WallboxSimulator, str],
    monkeypatch: pytest.MonkeyPatch,
    isolated_data_dir: Path,
) -> None:
    sim, url = partner_sim
    point_at(monkeypatch, url)
    before = signins(sim)
    result = invoke("--email", DEMO_EMAIL, "login", input=f"{DEMO_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Signed in as demo@example.com" in result.output
    assert DEMO_PASSWORD not in result.output
    token_files = list((isolated_data_dir / "wallbox-tokens").iterdir())
    assert len(token_files) == 1
    assert stat.S_IMODE(token_files[0].stat().st_mode) == 0o600
    assert "eyJ" not in token_files[0].read_text()  # encrypted, not a raw JWT
    # No e-mail, no password: the remembered account and its stored tokens are used.
    result = invoke("chargers")
    assert result.exit_code == 0, result.output
    result = invoke("status")
    assert result.exit_code == 0, result.output
    assert signins(sim) == before + 1


def test_chargers_and_status_screen(env: WallboxSimulator) -> None:
    result = invoke("chargers")
    assert result.exit_code == 0, result.output
    (cid,) = env.charger_ids(DEMO_EMAIL)
    assert str(cid) in result.output
    result = invoke("status")  # one charger: the id may be left out
    assert result.exit_code == 0, result.output
    for label in (
        "State",
        "Power",
        "Session energy",
        "Current limit",
        "Locked",
        "Firmware",
        "MID meter",
        "Eco-Smart",
        "Energy price",
    ):
        assert label in result.output
    assert f"code {env.view(cid).status_id}" in result.output
    # How fresh the cloud's reading is: the charger's last sync, and its age.
    assert re.search(r"Last sync .*\(updated (just now|\d+ (s|min|h|days) ago)\)", result.output)


def test_controls_change_the_charger(env: WallboxSimulator) -> None:
    (cid,) = env.charger_ids(DEMO_EMAIL)
    assert invoke("lock").exit_code == 0
    assert env.state(cid).controls_at(env.clock.now()).locked is True
    assert invoke("unlock", str(cid)).exit_code == 0
    assert env.state(cid).controls_at(env.clock.now()).locked is False
    result = invoke("current", "16")
    assert result.exit_code == 0, result.output
    assert env.state(cid).controls_at(env.clock.now()).current_a == 16
    result = invoke("energy-cost", "0.27")
    assert result.exit_code == 0, result.output
    assert env.state(cid).controls_at(env.clock.now()).energy_price == pytest.approx(0.27)
    assert invoke("pause").exit_code == 0
    assert invoke("resume").exit_code == 0
    assert invoke("eco-smart", "bogus").exit_code == 2
    assert invoke("current", "3").exit_code == 2  # below the 6 A minimum


def test_restart_asks_for_confirmation(env: WallboxSimulator) -> None:
    writes = lambda: [r for r in env.request_log[DEMO_EMAIL] if r.method == "POST"]  # noqa: E731
    before = len(writes())
    result = invoke("restart", input="n\n")
    assert result.exit_code == 1  # aborted
    assert len(writes()) == before
    result = invoke("restart", "--yes")
    assert result.exit_code == 0, result.output
    assert len(writes()) == before + 1
    result = invoke("update-firmware", input="y\n")
    assert result.exit_code == 0, result.output


def test_sessions_csv_equals_the_ground_truth(env: WallboxSimulator) -> None:
    (cid,) = env.charger_ids(DEMO_EMAIL)

    def history_reads() -> int:
        return sum(1 for r in env.request_log[DEMO_EMAIL] if r.path == "/v4/sessions/stats")

    before = history_reads()
    result = invoke("sessions", "--from", "2000-01-01", "--csv")
    assert result.exit_code == 0, result.output
    assert history_reads() - before == 1  # 26 years, one query: under 1,000 sessions
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    truth = env.ground_truth_sessions(cid)
    assert len(rows) == len(truth) > 5
    starts = sorted(datetime.fromisoformat(r["started_at"]) for r in rows if r["started_at"])
    assert starts == sorted(
        datetime.fromtimestamp(a["start"], tz=UTC) for a in truth if isinstance(a["start"], int)
    )
    result = invoke("sessions")
    assert result.exit_code == 0, result.output
    assert "Sessions" in result.output


def test_wrong_password_exits_3(env: WallboxSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PASSWORD", "not-it")
    result = invoke("login")
    assert result.exit_code == 3
    assert "Sign-in failed" in result.output
    assert "not-it" not in result.output


def test_guest_write_exits_4(env: WallboxSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_EMAIL", GUEST_EMAIL)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PASSWORD", GUEST_PASSWORD)
    cid = str(env.charger_ids(GUEST_EMAIL)[0])
    result = invoke("lock", cid)
    assert result.exit_code == 4
    assert "Not allowed" in result.output


def test_rate_limited_exits_5(monkeypatch: pytest.MonkeyPatch) -> None:
    _sim, served = serve(partner_mode=False, reads_per_minute=1, throttle_403_rate=0.5)
    with served:
        point_at(monkeypatch, served.url)
        monkeypatch.setenv("CHARGEBOOK_WALLBOX_PARTNER_MODE", "false")
        monkeypatch.setenv("CHARGEBOOK_WALLBOX_READS_PER_MINUTE", "10")  # a misconfigured budget
        monkeypatch.setenv("CHARGEBOOK_WALLBOX_EMAIL", DEMO_EMAIL)
        monkeypatch.setenv("CHARGEBOOK_WALLBOX_PASSWORD", DEMO_PASSWORD)
        assert invoke("chargers").exit_code == 0
        result = invoke("chargers")
    assert result.exit_code == 5
    assert "Rate limited" in result.output


def test_unreachable_cloud_exits_6(monkeypatch: pytest.MonkeyPatch) -> None:
    point_at(monkeypatch, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_EMAIL", DEMO_EMAIL)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PASSWORD", DEMO_PASSWORD)
    result = invoke("chargers")
    assert result.exit_code == 6
    assert "Connection trouble" in result.output


def test_garbled_answers_exit_7(monkeypatch: pytest.MonkeyPatch) -> None:
    _sim, served = serve(partner_mode=True, fault_rate=1.0, fault_kinds=("truncated",))
    with served:
        point_at(monkeypatch, served.url)
        monkeypatch.setenv("CHARGEBOOK_WALLBOX_EMAIL", DEMO_EMAIL)
        monkeypatch.setenv("CHARGEBOOK_WALLBOX_PASSWORD", DEMO_PASSWORD)
        result = invoke("chargers")
    assert result.exit_code == 7
    assert "Unexpected answer" in result.output


def test_bad_secret_key_exits_8(env: WallboxSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARGEBOOK_SECRET_KEY", "not-a-fernet-key")
    result = invoke("chargers")
    assert result.exit_code == 8
    assert "Configuration error" in result.output


def test_unknown_charger_exits_1_listing_the_accounts_chargers(env: WallboxSimulator) -> None:
    result = invoke("status", "999999999")
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "no charger '999999999'" in text
    (cid,) = env.charger_ids(DEMO_EMAIL)
    assert f"its chargers are: {cid} (" in text
    assert "does not know GET" not in text  # not the wire's words


def test_unreachable_sign_in_names_its_url_the_tries_and_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_port, auth_port = free_port(), free_port()
    point_at(monkeypatch, f"http://127.0.0.1:{data_port}")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_AUTH_URL", f"http://127.0.0.1:{auth_port}")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_MAX_RETRIES", "1")
    result = invoke("--email", DEMO_EMAIL, "--password", DEMO_PASSWORD, "status")
    assert result.exit_code == 6, result.output
    text = " ".join(result.output.split())
    assert f"http://127.0.0.1:{auth_port}/users/signin" in text  # the URL that failed
    assert str(data_port) not in text
    assert "gave up after 2 tries in" in text
    assert "each try waits at most 5 s" in text
    assert "CHARGEBOOK_WALLBOX_AUTH_URL" in text  # the setting to check is the sign-in's


def test_status_without_an_id_shows_every_charger(monkeypatch: pytest.MonkeyPatch) -> None:
    sim, served = serve(partner_mode=True, chargers=2)
    with served:
        point_at(monkeypatch, served.url)
        result = invoke("--email", DEMO_EMAIL, "--password", DEMO_PASSWORD, "status")
    assert result.exit_code == 0, result.output
    for cid in sim.charger_ids(DEMO_EMAIL):
        assert f"Charger {cid}" in result.output
    assert result.output.count("Current limit") == 2


def test_one_login_serves_wallbox_and_sync(
    partner_sim: tuple[WallboxSimulator, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim, url = partner_sim
    point_at(monkeypatch, url)
    before = signins(sim)
    result = invoke("--email", DEMO_EMAIL, "login", input=f"{DEMO_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Connected to the book as account 1" in result.output
    assert signins(sim) == before + 1  # the book keeps the same sign-in
    listed = runner.invoke(app, ["accounts", "list"], env={"COLUMNS": "80"})
    assert "demo@example.com" in listed.output
    assert "never" in listed.output  # the last-sync column, before any sync
    synced = runner.invoke(app, ["sync", "--quiet"])
    assert synced.exit_code == 0, synced.output
    listed = runner.invoke(app, ["accounts", "list"], env={"COLUMNS": "80"})
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", listed.output), listed.output
    # The book's charger id works for `wallbox` commands too.
    (cid, *_) = sim.charger_ids(DEMO_EMAIL)
    by_book = invoke("status", "1")
    assert by_book.exit_code == 0, by_book.output
    assert f"Charger {cid}" in by_book.output
    again = invoke("--email", DEMO_EMAIL, "--password", DEMO_PASSWORD, "login")
    assert again.exit_code == 0, again.output
    assert "Already in the book as account 1" in " ".join(again.output.split())
