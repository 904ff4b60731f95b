"""`chargebook db upgrade` and `db current` against SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.db.core import migrate


def test_db_upgrade_migrates_an_empty_database_and_is_repeatable(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHARGEBOOK_DATABASE_URL", empty_database_url)
    runner = CliRunner()
    before = runner.invoke(app, ["db", "current"])
    assert before.exit_code == 1
    assert "database: empty" in before.output
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert migrate.head_revision() in result.output
    after = runner.invoke(app, ["db", "current"])
    assert after.exit_code == 0


def test_db_upgrade_reports_an_unreachable_database_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHARGEBOOK_DATABASE_URL", "postgresql://u:secret-pw@127.0.0.1:1/none")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code != 0
    assert "cannot" in result.output
    assert "secret-pw" not in result.output
    assert "Traceback" not in result.output
