"""`chargebook ocpp security|certificates|renew-certificate` on a SQLite book (the CLI
renew path through PostgreSQL is the cluster's routed command; on SQLite the CLI says it
cannot reach the charger instead of a traceback)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.db import open_database
from chargebook.db.ocpp.security import IssuedCertificate, OcppSecurityRepository
from chargebook.settings import Settings

runner = CliRunner()


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    settings = Settings()
    added = runner.invoke(app, ["ocpp", "add", "CP-9"])
    assert added.exit_code == 0, added.output
    return settings


def test_security_shows_and_sets_the_minimum_profile(settings: Settings) -> None:
    shown = runner.invoke(app, ["ocpp", "security", "CP-9"])
    assert shown.exit_code == 0, shown.output
    assert "minimum security profile 0" in shown.output
    assert "no certificate issued" in shown.output
    raised = runner.invoke(app, ["ocpp", "security", "CP-9", "--min-profile", "3"])
    assert raised.exit_code == 0, raised.output
    assert "minimum security profile 3 (client certificate over TLS) (was 0)" in raised.output
    lowered = runner.invoke(app, ["ocpp", "security", "CP-9", "--min-profile", "1"])
    assert "(was 3)" in lowered.output
    bad = runner.invoke(app, ["ocpp", "security", "CP-9", "--min-profile", "4"])
    assert bad.exit_code == 2
    unknown = runner.invoke(app, ["ocpp", "security", "CP-8"])
    assert unknown.exit_code == 1
    assert "no OCPP charge point CP-8" in unknown.output


def test_certificates_lists_what_was_issued(settings: Settings) -> None:
    database = open_database(settings)
    now = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
    with database.transaction() as session:
        OcppSecurityRepository(session, SystemClock()).record_certificate(
            "CP-9",
            IssuedCertificate(
                charge_point_id="CP-9",
                serial_hex="1a2b",
                sha256_fingerprint="ab" * 32,
                subject="CN=CP-9",
                certificate_type="ChargePointCertificate",
                not_before=now,
                not_after=now + dt.timedelta(days=365),
                issued_at=now,
            ),
        )
    database.dispose()
    listed = runner.invoke(app, ["ocpp", "certificates"], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    assert "CP-9" in listed.output
    assert "1a2b" in listed.output
    assert "2027-12-07" in listed.output
    shown = runner.invoke(app, ["ocpp", "security", "CP-9"])
    assert "certificate 1a2b: CN=CP-9, valid until 2027-12-07" in shown.output


def test_renew_on_sqlite_says_it_cannot_reach_the_charger(settings: Settings) -> None:
    result = runner.invoke(app, ["ocpp", "renew-certificate", "CP-9"])
    assert result.exit_code == 1
    assert "cannot reach charge point CP-9" in result.output
    assert "Traceback" not in result.output


def test_renew_names_a_charger_that_is_not_registered(settings: Settings) -> None:
    result = runner.invoke(app, ["ocpp", "renew-certificate", "CP-404"])
    assert result.exit_code != 0
    assert "no OCPP charge point CP-404" in result.output
    assert "Traceback" not in result.output
