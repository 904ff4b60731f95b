"""Payout details through the web: the owner's form (validation, masking, encryption at rest),
the masked account on the credits page, CSV, PDF and API; the operator's SEPA run."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from pypdf import PdfReader
from sqlalchemy import text

from chargebook.settings import Settings

from .helpers import World, context_of

IBAN = "NL91ABNA0417164300"
MASKED = "NL** **** **** **43 00"


async def _enter(world: World, name: str, iban: str, holder: str) -> int:
    actor = world.actors[name]
    answer = await actor.client.post(
        "/credits/payout-details", data={"iban": iban, "holder": holder, "csrf_token": actor.csrf}
    )
    return answer.status_code


async def test_owner_enters_payout_details_and_sees_them_masked(world: World) -> None:
    owner = world.actors["owner_a"]
    empty = await owner.client.get("/credits/payout-details")
    assert "No payout details yet" in empty.text
    credits = await owner.client.get("/credits")
    assert "enter your payout details" in credits.text
    pdf = await owner.client.get(f"/credits/statements/{world.statement_ids['owner_a']}.pdf")
    waiting = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Payment waits for your payout details" in waiting

    bad = await owner.client.post(
        "/credits/payout-details",
        data={"iban": "NL91 ABNA 0417 1643 01", "holder": "A", "csrf_token": owner.csrf},
    )
    assert bad.status_code == 422
    assert "NL91 ABNA 0417 1643 01 has a wrong check digit" in bad.text
    assert await _enter(world, "owner_a", "nl91 abna 0417 1643 00", "Anna Jansen") == 303

    pages = [
        (await owner.client.get("/credits/payout-details")).text,
        (await owner.client.get("/credits")).text,
        (await owner.client.get("/credits/statements.csv")).text,
        (await owner.client.get("/api/v1/statements", headers=owner.bearer())).text,
        (await owner.client.get("/api/v1/statements/payout-account", headers=owner.bearer())).text,
    ]
    pdf = await owner.client.get(f"/credits/statements/{world.statement_ids['owner_a']}.pdf")
    pages.append("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    for page in pages:
        assert MASKED in page
        assert IBAN not in page
        assert "0417164300" not in page.replace(" ", "")
    assert "Anna Jansen" in pages[-1]  # the PDF names the holder
    assert "ABNANL2A" in pages[0]  # the BIC schwifty derived
    with world.database.session() as session:
        stored = session.execute(text("SELECT * FROM ere_payout_accounts")).all()
        audit = session.execute(text("SELECT actor, payload FROM audit_log")).all()
    assert IBAN not in repr(stored)
    assert IBAN not in repr(audit)
    assert any(actor == "owner_a@example.com" and MASKED in payload for actor, payload in audit)


async def test_operator_builds_a_sepa_run_and_marks_it_paid(
    world: World, web_settings: Settings
) -> None:
    operator = world.actors["operator"]
    csrf = {"csrf_token": operator.csrf}
    unset = await operator.client.post("/operator/payouts/sepa", data=csrf)
    assert unset.status_code == 409
    assert "CHARGEBOOK_OPERATOR_IBAN" in unset.text
    context_of(world.app).settings = web_settings.model_copy(
        update={"operator_name": "chargebook B.V.", "operator_iban": "NL02ABNA0123456789"}
    )
    assert await _enter(world, "owner_b", IBAN, "Bram Bos") == 303

    built = await operator.client.post("/operator/payouts/sepa", data={**csrf, "period": "2026-Q1"})
    assert built.status_code == 303
    page = (await operator.client.get("/operator/payouts")).text
    assert "in run 1" in page
    assert "no payout details" in page  # owner A is left out
    assert IBAN not in page
    xml = await operator.client.get("/operator/payouts/runs/1.xml")
    assert xml.status_code == 200
    root = ET.fromstring(xml.content)  # noqa: S314  (our own file)
    ns = {"p": root.tag[1:].split("}")[0]}
    transfers = root.findall(".//p:CdtTrfTxInf", ns)
    assert len(transfers) == 1
    assert transfers[0].findtext(".//p:IBAN", namespaces=ns) == IBAN
    assert transfers[0].findtext(".//p:InstdAmt", namespaces=ns) == "0.72"
    owner_b_statement = world.statement_ids["owner_b"]
    assert transfers[0].findtext(".//p:EndToEndId", namespaces=ns) == (
        f"ERE-2026-Q1-S{owner_b_statement}"
    )

    again = await operator.client.post("/operator/payouts/sepa", data=csrf)
    assert again.status_code == 400
    assert "already in open payout run 1" in again.text
    paid = await operator.client.post(
        "/operator/payouts/runs/1/paid", data={**csrf, "reference": "RABO-77"}
    )
    assert paid.status_code == 303
    twice = await operator.client.post("/operator/payouts/runs/1/paid", data=csrf)
    assert twice.status_code == 409
    page = (await operator.client.get("/operator/payouts")).text
    assert "RABO-77" in page
    assert "paid" in page
    forbidden = await world.actors["owner_a"].client.get("/operator/payouts/runs/1.xml")
    assert forbidden.status_code in (403, 404)
