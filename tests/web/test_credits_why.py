"""The owner's credits page says why (sessions and kWh per outcome and reason, with the fix
and its link), shows the estimate before signing, and EREs per session are on the session
page and in the CSV/XLSX exports; the figures are the service's (credit_world.EXPECTED)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook

from chargebook.clock import FixedClock
from chargebook.db import Database
from ere_book.credit_world import EXPECTED, NOW, Q4, build_credit_world

from .helpers import Actor, add_user, client_for, sign_in


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _signed_in(app: FastAPI, email: str) -> Actor:
    actor = Actor(email, add_user(app, email), client_for(app))
    sign_in(app, actor)
    return actor


def _quarter_html(page: str, label: str) -> str:
    start = page.index(f'data-testid="why-{label}"')
    end = page.find('data-testid="why-', start + 10)
    return page[start : end if end > 0 else None]


async def test_credits_page_says_why_per_quarter(
    app: FastAPI, sqlite_database: Database, clock: FixedClock
) -> None:
    rosa, nina = (
        await _signed_in(app, "rosa@example.com"),
        await _signed_in(app, "nina@example.com"),
    )
    assert rosa.user is not None
    assert nina.user is not None
    build_credit_world(sqlite_database, clock, rosa=rosa.user.id, nina=nina.user.id)

    page = (await rosa.client.get("/credits")).text
    for period, expected in EXPECTED.items():
        html = _quarter_html(page, period.label)
        for name, (sessions, kwh) in expected.items():
            if name in ("eligible", "held_back", "registered", "paid"):
                row = re.search(rf'data-outcome="{name}">.*?</tr>', html, re.S)
                assert row is not None, (period, name)
                cells = re.findall(r'class="num">([^<]*)<', row.group(0))
                assert cells == [str(sessions), f"{kwh:,.1f}"], (period, name)
            else:
                assert f'data-reason="{name}" data-sessions="{sessions}"' in html, (period, name)
    q4 = _quarter_html(page, Q4.label)
    assert "2 sessions without a mandate for 2026" in q4
    assert "No mandate for 2026 — sign one" in q4
    assert "Charger has no MID meter — upgrade or SAP" in q4
    assert 'href="/connect/chargers"' in q4
    assert 'href="/learn#sap"' in q4
    assert "3 sessions before the MID meter was installed or recorded" in page
    assert 'data-testid="mandate-estimate"' not in page  # Rosa has a 2026 mandate

    unsigned = (await nina.client.get("/credits")).text
    assert 'data-testid="mandate-estimate"' in unsigned
    assert 'data-testid="estimate-ere">11.6<' in unsigned
    assert 'data-testid="estimate-eur">€ 4.36<' in unsigned
    assert "This is an estimate" in unsigned


async def test_eres_per_session_on_the_page_and_in_exports(
    app: FastAPI, sqlite_database: Database, clock: FixedClock
) -> None:
    rosa, nina = (
        await _signed_in(app, "rosa@example.com"),
        await _signed_in(app, "nina@example.com"),
    )
    assert rosa.user is not None
    assert nina.user is not None
    world = build_credit_world(sqlite_database, clock, rosa=rosa.user.id, nina=nina.user.id)

    # 10 kWh x 0.332694 = 3.32694 -> 3.3 ERE, registered or estimated alike.
    registered = (await rosa.client.get(f"/sessions/{world.sessions['registered'][0]}")).text
    assert re.search(
        r'data-testid="session-ere">3\.3 ERE <span class="pill ok">registered', registered
    )
    eligible = (await rosa.client.get(f"/sessions/{world.sessions['eligible'][0]}")).text
    assert re.search(r'data-testid="session-ere">3\.3 ERE <span class="pill ">estimate', eligible)
    held = (await rosa.client.get(f"/sessions/{world.sessions['no_mandate'][0]}")).text
    assert "no mandate for 2026 — sign one" in held
    assert "<code>no_mandate</code>" in held

    exported = (await rosa.client.get("/sessions/export.csv")).text
    rows = {int(row["session_id"]): row for row in csv.DictReader(io.StringIO(exported))}
    expected_status = {
        "before_meter": "no_metering_construct", "paid": "registered", "registered": "registered",
        "late": "estimate", "eligible": "estimate", "overlap": "overlaps_other_session",
        "no_mid": "metering_not_qualifying", "no_mandate": "no_mandate",
        "not_linked": "charger_not_linked",
    }  # fmt: skip
    for kind, status in expected_status.items():
        for session_id in world.sessions[kind]:
            assert rows[session_id]["ere_status"] == status, kind
            earns = status in ("registered", "estimate")
            assert rows[session_id]["ere"] == ("3.3" if earns else ""), kind
    assert len(rows) == sum(len(world.sessions[kind]) for kind in expected_status)

    workbook = load_workbook(io.BytesIO((await rosa.client.get("/sessions/export.xlsx")).content))
    sheet = workbook["Sessions"]
    header = [cell.value for cell in sheet[1]]
    ere_col, status_col = header.index("ere"), header.index("ere_status")
    cells: dict[int, tuple[object, object]] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if isinstance(row[0], int):  # a session's row (not the totals)
            cells[row[0]] = (row[ere_col], row[status_col])
    assert cells[world.sessions["registered"][0]] == (3.3, "registered")
    assert cells[world.sessions["late"][0]] == (3.3, "estimate")
    assert cells[world.sessions["no_mid"][0]] == (None, "metering_not_qualifying")
    assert Decimal(str(cells[world.sessions["eligible"][0]][0])) == Decimal("3.3")


async def test_wizard_mandate_step_shows_the_estimate(
    app: FastAPI, sqlite_database: Database, clock: FixedClock
) -> None:
    """Before signing, the mandate step shows what this charger's sessions would earn."""
    rosa = await _signed_in(app, "rosa@example.com")
    nina = await _signed_in(app, "nina@example.com")
    assert rosa.user is not None
    assert nina.user is not None
    world = build_credit_world(sqlite_database, clock, rosa=rosa.user.id, nina=nina.user.id)
    charger = world.chargers["nina_mid"]
    chosen = await nina.client.post(
        f"/connect/{charger}/select", data={"csrf_token": nina.csrf}
    )  # the wizard's step 3: detection
    assert chosen.status_code == 303
    page = (await nina.client.get(f"/connect/{charger}/meter")).text
    assert "verdict-qualifying" in page
    assert 'data-testid="ere-form"' in page  # the mandate step
    assert 'data-testid="estimate-ere">11.6<' in page
    assert 'data-testid="estimate-eur">€ 4.36<' in page
    assert "This is an estimate" in page
