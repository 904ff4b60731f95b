"""The owner's year through the `chargebook` CLI (Typer's CliRunner, as from a shell): the
myWallbox account synced, one EAN with both chargers, metering from 1 January, a mandate for
2026, the first quarter registered, built again (nothing twice), exported, stated, the
owner's payout details entered and the payout paid through a SEPA file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app as cli_app
from chargebook.clock import SystemClock
from chargebook.db import open_database
from chargebook.db.ere.store import EreStore
from chargebook.settings import load_settings
from chargebook.simulator.wallbox import DEMO_EMAIL, DEMO_PASSWORD

from .year import EAN, FEE, NOW, OPERATOR, OWNER_IBAN, PRICE, QUARTER

runner = CliRunner()
AT = (NOW.replace(hour=13)).isoformat()  # the batch's "now": the year is open for booking


@dataclass(frozen=True)
class CliRun:
    eligibility: str  # `ere eligibility 2026-Q1` before the batch
    second_batch: tuple[int, str]  # exit code and output of building the batch again
    correcting: tuple[int, str]  # ... and of a correcting batch with nothing new
    evidence: list[Path]
    outputs: list[str]
    sepa: bytes  # the payout run's pain.001 file


def cli(*args: str, code: int = 0) -> str:
    result = runner.invoke(cli_app, list(args), env={"COLUMNS": "250"})
    assert result.exit_code == code, f"{args}: {result.output}"
    return result.output


def _charger_ids() -> tuple[int, int]:
    database = open_database(load_settings())
    try:
        with database.session() as session:
            chargers = EreStore(session, SystemClock()).chargers.list()
    finally:
        database.dispose()
    by_model = {c.charger.model: c.id for c in chargers}
    return by_model["Copper SB"], by_model["Pulsar Plus"]


def walk_cli(url: str, database_url: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> CliRun:
    for name, value in (
        ("CHARGEBOOK_DATABASE_URL", database_url),
        ("CHARGEBOOK_WALLBOX_API_URL", url),
        ("CHARGEBOOK_WALLBOX_AUTH_URL", url),
        ("CHARGEBOOK_WALLBOX_PARTNER_MODE", "true"),
        ("CHARGEBOOK_WALLBOX_MAX_RETRIES", "0"),
        ("CHARGEBOOK_OPERATOR_NAME", OPERATOR["name"]),
        ("CHARGEBOOK_OPERATOR_IBAN", OPERATOR["iban"]),
        ("CHARGEBOOK_OPERATOR_BIC", OPERATOR["bic"]),
    ):
        monkeypatch.setenv(name, value)
    outputs = [
        cli("db", "upgrade"),
        cli("accounts", "add", "--email", DEMO_EMAIL, "--password", DEMO_PASSWORD),
        cli("sync", "--quiet"),
    ]
    copper, pulsar = _charger_ids()
    q = QUARTER.label
    outputs += [
        cli(
            "ere",
            "connection",
            "add",
            "--ean",
            EAN,
            "--customer",
            DEMO_EMAIL,
            "--name",
            "Scenario Owner",
            "--street",
            "Demostraat",
            "--number",
            "1",
            "--postal-code",
            "9999 ZZ",
            "--city",
            "Demodorp",
            "--charger",
            str(copper),
            "--charger",
            str(pulsar),
        ),
        # The Copper SB's MID meter qualifies from its first MID-metered session.
        cli("ere", "metering", "detect"),
        cli(
            "ere",
            "mandate",
            "add",
            "--ean",
            EAN,
            "--from-year",
            "2026",
            "--to-year",
            "2026",
            "--signed-by",
            "Scenario Owner",
            "--signed-on",
            NOW.date().isoformat(),
            "--consent-grid-data",
            "--consent-verifier-visit",
        ),
    ]
    eligibility = cli("ere", "eligibility", q, "--now", AT, "--quiet")
    outputs += [
        cli("ere", "price", "set", q, str(PRICE)),
        cli("ere", "batch", "create", q, "--now", AT, "--quiet"),
        cli("ere", "batch", "finalize", "1"),
    ]
    again = runner.invoke(cli_app, ["ere", "batch", "create", q, "--now", AT, "--quiet"])
    correcting = runner.invoke(
        cli_app, ["ere", "batch", "create", q, "--corrects", "1", "--now", AT, "--quiet"]
    )
    export = cli("ere", "batch", "export", "1", "-o", str(folder / "export"))
    outputs += [
        export,
        cli("ere", "statements", q, "--fee", str(FEE), "-o", str(folder / "statements")),
        cli(
            "ere",
            "payout-account",
            "set",
            "--customer",
            DEMO_EMAIL,
            "--iban",
            OWNER_IBAN,
            "--holder",
            "Scenario Owner",
        ),
        cli("ere", "payouts", "sepa", "--period", q, "-o", str(folder / "payouts.xml")),
        cli("ere", "payouts", "run-paid", "1", "--reference", "SCENARIO-1"),
    ]
    evidence = sorted((folder / "export" / "evidence").glob("*.zip"))
    return CliRun(
        eligibility,
        (again.exit_code, again.output),
        (correcting.exit_code, correcting.output),
        evidence,
        outputs,
        (folder / "payouts.xml").read_bytes(),
    )
