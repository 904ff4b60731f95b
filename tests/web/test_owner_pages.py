"""The owner's pages in-process: sessions (filters, totals, CSV, XLSX, chart), the charger
page's commands (JSON for the script, redirect for a form), credits and statements, the
calculator, and the operator's payout actions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from chargebook.domain.models import ChargerSource

from .fake_control import FakeControl
from .helpers import World, context_of


async def test_sessions_list_totals_and_exports_are_the_owners_own(world: World) -> None:
    owner = world.actors["owner_a"]
    page = await owner.client.get("/sessions")
    assert page.status_code == 200
    assert 'data-testid="total-count">3<' in page.text
    assert 'data-testid="total-kwh">22.5<' in page.text
    assert "Garage 70001" not in page.text  # owner B's charger

    exported = await owner.client.get("/sessions/export.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert exported.headers["content-disposition"].startswith("attachment")
    assert [row["charger"] for row in rows] == ["Garage 70000"] * 3
    assert sum(float(row["energy_kwh"]) for row in rows) == 22.5
    assert {row["duration_min"] for row in rows} == {"120.0"}

    one_day = (world.clock.now() - timedelta(days=1)).date().isoformat()
    filtered = await owner.client.get(f"/sessions/export.csv?start={one_day}&end={one_day}")
    assert len(list(csv.DictReader(io.StringIO(filtered.text)))) == 1

    workbook = load_workbook(io.BytesIO((await owner.client.get("/sessions/export.xlsx")).content))
    sheet = workbook["Sessions"]
    values = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    assert values[0][:2] == ("session_id", "charger")
    assert len(values) == 1 + 3 + 1  # header, sessions, totals
    assert values[-1][5] == 22.5

    bad = await owner.client.get("/sessions?start=yesterday")
    assert bad.status_code == 422
    other = await owner.client.get(f"/sessions?charger={world.charger_ids['owner_b']}")
    assert other.status_code == 404


async def test_session_page_chart_data_and_png(world: World) -> None:
    owner = world.actors["owner_a"]
    session_id = world.session_ids["owner_a"]
    page = await owner.client.get(f"/sessions/{session_id}")
    assert "vendor/chart.umd.min.js" in page.text
    data = (await owner.client.get(f"/sessions/{session_id}/samples.json")).json()
    assert data["energy_kwh"] == 7.5
    assert data["samples"] == []  # no live readings: the script draws the average
    png = await owner.client.get(f"/sessions/{session_id}/chart.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")


async def test_charger_commands_from_the_page(world: World) -> None:
    port = FakeControl()
    context_of(world.app).controls.register(ChargerSource.WALLBOX_CLOUD, port.factory)
    owner = world.actors["owner_a"]
    charger_id = world.charger_ids["owner_a"]
    headers = {"Accept": "application/json", "X-CSRF-Token": owner.csrf}
    base = f"/chargers/{charger_id}/commands"

    done = await owner.client.post(f"{base}/current", data={"current_a": "12"}, headers=headers)
    assert done.json() == {"ok": True, "message": "Current limit set."}
    too_high = await owner.client.post(f"{base}/current", data={"current_a": "40"}, headers=headers)
    assert too_high.status_code == 422
    assert "between 6 and 32" in too_high.json()["message"]
    unconfirmed = await owner.client.post(f"{base}/restart", data={}, headers=headers)
    assert unconfirmed.status_code == 422
    form = await owner.client.post(f"{base}/pause", data={"csrf_token": owner.csrf})
    assert form.headers["location"] == f"/chargers/{charger_id}?done=pause"
    assert port.sent == [("70000", "current", 12), ("70000", "pause", None)]
    live = (await owner.client.get(f"/chargers/{charger_id}/live")).json()
    assert live["live"] is False  # the fake has no live state: the book's view
    assert live["state"] == "unknown"
    page = await owner.client.get(f"/chargers/{charger_id}?done=pause")
    assert "Charging paused." in page.text


async def test_credits_statements_and_calculator(world: World) -> None:
    owner = world.actors["owner_a"]
    page = await owner.client.get("/credits")
    assert page.status_code == 200
    assert "€ 0.72" in page.text
    statement_id = world.statement_ids["owner_a"]
    pdf = await owner.client.get(f"/credits/statements/{statement_id}.pdf")
    assert pdf.content.startswith(b"%PDF")
    listed = await owner.client.get("/credits/statements.csv")
    assert len(list(csv.DictReader(io.StringIO(listed.text)))) == 1
    calculator = await owner.client.get("/learn?kwh=3000")
    assert "998.1" in calculator.text  # the reference's worked example for 2026
    assert (await owner.client.get("/learn?kwh=-5")).status_code == 422


async def test_operator_sets_a_price_and_marks_a_payout_paid(world: World) -> None:
    operator = world.actors["operator"]
    statement_id = world.statement_ids["owner_b"]
    price = await operator.client.post(
        "/operator/prices",
        data={"period": "2026-Q2", "price": "0.47", "csrf_token": operator.csrf},
    )
    assert price.status_code == 303
    mark = {"reference": "NL-42", "csrf_token": operator.csrf}
    refused = await operator.client.post(f"/operator/payouts/{statement_id}/paid", data=mark)
    assert refused.status_code == 409  # owner B has not said where the money goes
    assert "has not entered payout details" in refused.text
    owner_b = world.actors["owner_b"]
    details = await owner_b.client.post(
        "/credits/payout-details",
        data={
            "iban": "DE89 3704 0044 0532 0130 00",
            "holder": "B. Bauer",
            "csrf_token": owner_b.csrf,
        },
    )
    assert details.status_code == 303
    paid = await operator.client.post(f"/operator/payouts/{statement_id}/paid", data=mark)
    assert paid.status_code == 303
    page = await operator.client.get("/operator/payouts")
    assert "2026-Q2: € 0.47" in page.text
    assert page.text.count("Mark paid") == 0  # owner A's is pending, but without an IBAN
    assert (
        "waits for the owner&#39;s IBAN" in page.text or "waits for the owner's IBAN" in page.text
    )
    assert "DE** **** **** **** **30 00" in page.text
    bad = await operator.client.post(
        "/operator/prices", data={"period": "26Q2", "price": "1", "csrf_token": operator.csrf}
    )
    assert bad.status_code == 422
