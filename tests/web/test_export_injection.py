"""Formula injection through the web's downloads (issue 14): charger names from the cloud or a
BootNotification, and e-mails given at sign-up, never become live formulas in the sessions
CSV/XLSX or the statements CSV; amounts stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from chargebook.db import ChargerRepository
from chargebook.db.core.testing import example_charger
from chargebook.db.ere.statements import StatementRepository
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import UserRole
from security.spreadsheets import (
    AS_CSV_TEXT,
    INNER_PAYLOADS,
    PAYLOADS,
    live_csv_cells,
    live_xlsx_cells,
    text_cells_of_xlsx,
)

from .helpers import Actor, World, add_sessions, add_user, client_for, context_of, sign_in


def _chargers_named_like_formulas(world: World) -> None:
    """Owner A gets one charger per payload (cloud and OCPP), each with a session."""
    context = context_of(world.app)
    owner = world.actors["owner_a"].user
    assert owner is not None
    for index, name in enumerate(PAYLOADS + INNER_PAYLOADS):
        source = ChargerSource.OCPP if index % 2 else ChargerSource.WALLBOX_CLOUD
        with context.database.transaction() as session:
            stored = ChargerRepository(session, context.clock).upsert(
                example_charger(f"inj{index}", name=name, source=source), owner_user_id=owner.id
            )
        add_sessions(world.database, world.clock, stored.id, count=1, prefix=f"inj{index}-")


async def test_sessions_csv_neutralises_charger_names(world: World) -> None:
    _chargers_named_like_formulas(world)
    exported = await world.actors["owner_a"].client.get("/sessions/export.csv")
    assert exported.status_code == 200
    assert live_csv_cells(exported.text) == []
    rows = list(csv.DictReader(io.StringIO(exported.text, newline="")))
    names = {row["charger"] for row in rows}
    assert set(AS_CSV_TEXT.values()) <= names  # shown as text, nothing lost
    assert "Garage;'=1+1" in names
    assert "Garage 70000" in names  # a plain name is untouched
    assert {float(row["energy_kwh"]) for row in rows} == {7.5}  # numbers stay numbers


async def test_sessions_xlsx_writes_names_as_text_cells(world: World) -> None:
    _chargers_named_like_formulas(world)
    exported = await world.actors["owner_a"].client.get("/sessions/export.xlsx")
    assert exported.status_code == 200
    assert live_xlsx_cells(exported.content) == []
    cells = text_cells_of_xlsx(exported.content)
    for payload in PAYLOADS:
        # The name as the owner gave it, in a string cell carrying Excel's quote prefix (XML
        # reads a carriage return back as a line feed: openpyxl writes it raw).
        assert cells[payload.replace("\r", "\n")] == ("s", True), repr(payload)
    assert cells["Garage 70000"] == ("s", False)


async def test_statements_csv_neutralises_a_formula_email(world: World) -> None:
    email = '=hyperlink("http://x","y")@example.com'  # the sign-up's e-mail check accepts it
    actor = Actor("formula", add_user(world.app, email, UserRole.OWNER), client_for(world.app))
    sign_in(world.app, actor)
    assert actor.user is not None
    context = context_of(world.app)
    with context.database.transaction() as session:
        StatementRepository(session, context.clock).add_statement(
            customer_id=actor.user.id, period=DeliveryPeriod(2026, 1),
            eans=["871234567890123456"], energy_kwh=Decimal("-2.5"),
            energy_kwh_by_month=[("2026-01", Decimal("-2.5"))], ere=Decimal("-1"),
            is_estimate=False, price_eur_per_ere=Decimal("0.10"), fee_rate=Decimal("0.2"),
            gross_eur=Decimal("-0.10"), fee_eur=Decimal("-0.02"), payout_eur=Decimal("-0.08"),
            line_ids=[],
        )  # fmt: skip  # a correction: negative amounts
    listed = await actor.client.get("/credits/statements.csv")
    await actor.client.aclose()
    assert listed.status_code == 200
    assert live_csv_cells(listed.text) == []
    (row,) = csv.DictReader(io.StringIO(listed.text, newline=""))
    assert row["customer_email"] == "'" + email
    # Numbers as numbers: -0.08, not '-0.08.
    assert (Decimal(row["payout_eur"]), Decimal(row["energy_kwh"])) == (Decimal("-0.08"), -2.5)
