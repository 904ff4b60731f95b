"""The ERE service judges a brand charger (issue 19) by `assess_brand`: an Easee whose MID
meter its API cannot prove is unknown, and detection records nothing for it (both
databases)."""

from __future__ import annotations

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, UserRepository
from chargebook.db.core.testing import example_charger
from chargebook.db.ere.store import EreStore
from chargebook.domain.models import ChargerSource, MidMeter
from chargebook.ere import MeteringVerdict
from chargebook.ere.service.metering import assess_charger, detect_metering


def brand(source: ChargerSource, model: str):  # type: ignore[no-untyped-def]
    return example_charger(
        "B-1", source=source, model=model, part_number=None, mid=MidMeter(enabled=False)
    )


def test_the_service_judges_a_brand_charger_by_its_own_rule(
    database: Database, clock: FixedClock
) -> None:
    with database.transaction() as session:
        owner = UserRepository(session, clock).create(email="e@example.com", password_hash="!")
        stored = ChargerRepository(session, clock).upsert(
            brand(ChargerSource.EASEE_CLOUD, "Easee Home"), owner_user_id=owner.id
        )
        store = EreStore(session, clock)
        assert assess_charger(store, stored).verdict is MeteringVerdict.UNKNOWN
        outcome = detect_metering(store, now=clock.now(), charger_id=stored.id)
    assert [o.recorded for o in outcome] == [False]  # unknown: nothing recorded, no upgrade
    assert outcome[0].follow_ups_created == ()
