"""Backtest over the recorded December 2025 days, and the planner's import rule."""

from __future__ import annotations

import ast
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest

import chargebook.planner
from chargebook.domain.prices import PlanOptions, Strategy
from chargebook.planner import backtest_overnight
from chargebook.prices import load_price_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "prices"


@pytest.mark.parametrize("resolution", ["quarter", "hour"])
def test_overnight_backtest_saves_on_real_days(resolution: str) -> None:
    curve = load_price_file(FIXTURES / f"energyzero-rest-{resolution}-2025-12-16_18.json")
    nights = backtest_overnight(curve, energy_kwh=20, plug_in=time(18), departure=time(7))
    # the recording ends at midnight 18/19 Dec, so only two nights are fully covered
    assert [n.plug_in_date for n in nights] == [date(2025, 12, 16), date(2025, 12, 17)]
    for night in nights:
        assert night.saving_eur == night.charge_now_cost_eur - night.plan_cost_eur
        assert night.saving_eur > Decimal("0.5")  # 18:00 is the evening peak
        assert Decimal(10) < night.saving_pct < Decimal(60)


def test_continuous_saves_less_than_cheapest_but_more_than_nothing() -> None:
    curve = load_price_file(FIXTURES / "energyzero-rest-quarter-2025-12-16_18.json")
    cheapest = backtest_overnight(curve)
    block = backtest_overnight(curve, options=PlanOptions(strategy=Strategy.CONTINUOUS))
    for c, b in zip(cheapest, block, strict=True):
        assert Decimal(0) < b.saving_eur <= c.saving_eur


ALLOWED = ("chargebook.domain", "chargebook.clock", "chargebook.errors", "chargebook.planner")
FORBIDDEN_TOP = {"httpx", "sqlalchemy", "websockets", "fastapi", "typer", "rich", "pydantic"}


def test_planner_imports_only_domain_clock_errors() -> None:
    package = Path(chargebook.planner.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN_TOP, f"{path.name} imports {name}"
                if name.startswith("chargebook"):
                    assert name.startswith(ALLOWED), f"{path.name} imports {name}"
