"""The operator console records a metering date with evidence through the same service as
`chargebook ere metering set` (`record_construct`): an uploaded invoice is kept privately in the
data dir; no evidence or a future date is refused with the reason on the page (422, never a
500); the connection's customer can be recorded as business."""

from __future__ import annotations

import hashlib
from pathlib import Path

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address, CustomerKind
from chargebook.ere import gs1_check_digit
from chargebook.ere.service import add_connection, metering_history

from .helpers import World

EAN_BODY = "87155500000000001"
EAN = EAN_BODY + str(gs1_check_digit(EAN_BODY))


def _history(world: World) -> list[tuple[str, str | None, str | None]]:
    with world.database.session() as session:
        store = EreStore(session, world.clock)
        return [
            (s.construct.kind.value, s.evidence_reference, s.evidence_file_sha256)
            for s in metering_history(store, world.charger_ids["owner_a"])
        ]


async def _post(world: World, data: dict[str, str], files: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    operator = world.actors["operator"]
    path = f"/operator/chargers/{world.charger_ids['owner_a']}/metering"
    return await operator.client.post(
        path, data={**data, "csrf_token": operator.csrf}, files=files or {}
    )


FORM = {"kind": "integrated_mid", "valid_from": "2026-02-01", "mid_serial": "MID-9"}


async def test_an_upgrade_date_with_an_uploaded_invoice(
    world: World, isolated_data_dir: Path
) -> None:
    invoice = b"%PDF-1.4 installer's invoice 117"
    answer = await _post(
        world, FORM, files={"evidence_file": ("invoice.pdf", invoice, "application/pdf")}
    )
    assert answer.status_code == 303, answer.text
    digest = hashlib.sha256(invoice).hexdigest()
    assert _history(world) == [("integrated_mid", None, digest)]
    assert (isolated_data_dir / "ere-evidence" / f"{digest}.pdf").read_bytes() == invoice
    page = await world.actors["operator"].client.get(answer.headers["location"])
    assert "invoice.pdf" in page.text
    assert "integrated mid" in page.text


async def test_no_evidence_or_a_future_date_is_refused_on_the_page(world: World) -> None:
    answer = await _post(world, FORM)
    assert answer.status_code == 422
    assert "needs evidence" in answer.text
    answer = await _post(world, {**FORM, "valid_from": "2026-04-01", "evidence": "quote"})
    assert answer.status_code == 422
    assert "2026-04-01 is in the future" in answer.text
    for bad in ("1 Feb", "0001-01-01"):  # the second once overflowed into a 500
        answer = await _post(world, {**FORM, "valid_from": bad, "evidence": "quote"})
        assert answer.status_code == 422
    assert _history(world) == []


async def test_the_customer_is_recorded_as_business(world: World) -> None:
    owner = world.actors["owner_a"].user
    assert owner is not None
    with world.database.transaction() as session:
        add_connection(
            EreStore(session, world.clock), ean=EAN, customer_email=owner.email,
            connected_party_name="A", address=Address("Laan", "1", "1234 AB", "X"),
            charger_ids=[world.charger_ids["owner_a"]],
        )  # fmt: skip
    operator = world.actors["operator"]
    answer = await operator.client.post(
        f"/operator/chargers/{world.charger_ids['owner_a']}/customer-kind",
        data={"ean": EAN, "kind": "business", "csrf_token": operator.csrf},
    )
    assert answer.status_code == 303
    with world.database.session() as session:
        stored = EreStore(session, world.clock).connections.get_by_ean(EAN)
    assert stored.connection.customer_kind is CustomerKind.BUSINESS
    answer = await operator.client.post(
        f"/operator/chargers/{world.charger_ids['owner_a']}/customer-kind",
        data={"ean": EAN, "kind": "charity", "csrf_token": operator.csrf},
    )
    assert answer.status_code == 422


async def test_the_owner_records_an_upgrade_on_the_charger_page(world: World) -> None:
    charger_id = world.charger_ids["owner_a"]
    owner = world.actors["owner_a"]
    page = await owner.client.get(f"/chargers/{charger_id}")
    assert 'data-testid="metering-upgrade"' in page.text
    form = {"valid_from": "2026-02-01", "mid_serial": "MID-9", "csrf_token": owner.csrf}
    refused = await owner.client.post(f"/chargers/{charger_id}/metering", data=form)
    assert refused.status_code == 422
    assert "needs evidence" in refused.text
    answer = await owner.client.post(
        f"/chargers/{charger_id}/metering", data={**form, "evidence": "invoice 117"}
    )
    assert answer.status_code == 303
    assert _history(world) == [("integrated_mid", "invoice 117", None)]
    with world.database.session() as session:
        (stored,) = metering_history(EreStore(session, world.clock), charger_id)
    assert stored.recorded_by == "owner"
    other = world.actors["owner_b"]
    theirs = await other.client.post(
        f"/chargers/{charger_id}/metering",
        data={**form, "evidence": "x", "csrf_token": other.csrf},
    )
    assert theirs.status_code == 404
