"""An owner's ERE year with every outcome and several reasons, for the credits breakdown
through the service, the web page and the CLI (one book, the same numbers expected).

At NOW (2026-11-20, Q4 running), owner Rosa has:
- a Copper SB (MID) on connection EAN1 with a 2026 mandate, its MID meter recorded from
  2026-06-15: 3 June sessions before it (held back, no_metering_construct, 30 kWh); 2 later
  June sessions registered in a finalized Q2 batch whose statement was paid; 5 July sessions
  registered in a finalized Q3 batch (statement pending); 2 late September sessions
  (eligible, 20 kWh); in Q4 4 eligible sessions (40 kWh) and an overlapping pair (2 x 10 kWh);
- a Pulsar Plus (no MID) on the same connection: 3 Q4 sessions of 7 kWh, metering_not_qualifying;
- a second MID charger on connection EAN2 without a mandate: 2 Q4 sessions of 5 kWh, no_mandate;
- a charger no connection links: 2 Q4 sessions of 6 kWh, charger_not_linked.
Owner Nina has no connection and no mandate: a MID charger with 3 sessions in 2026 (MID kWh
10 + 12.5 + 7.345), one without MID kWh but with meter registers (5 kWh) and one in 2025, and a
Pulsar with a 2026 session without MID energy (its registers do not count: no MID meter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from cryptography.fernet import Fernet

from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox
from chargebook.db import ChargerRepository, Database
from chargebook.db.accounts.tables import UserRow
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address, DeliveryPeriod, MeteringKind
from chargebook.domain.models import MidMeter
from chargebook.ere import gs1_check_digit, load_parameters
from chargebook.ere.service import (
    add_connection,
    add_mandate,
    create_batch,
    finalize_batch,
    generate_statements,
    mark_paid,
    record_construct,
    set_price,
)
from chargebook.ere.service.metering_evidence import MeteringEvidence
from chargebook.ere.service.payout_accounts import set_payout_account

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
Q2, Q3, Q4 = (DeliveryPeriod(2026, q) for q in (2, 3, 4))
NINA_MID_KWH = Decimal("10") + Decimal("12.5") + Decimal("7.345") + Decimal("5")


def ean(n: int) -> str:
    body = f"871{n:014d}"
    return body + str(gs1_check_digit(body))


@dataclass
class CreditWorld:
    rosa: int
    nina: int
    sessions: dict[str, list[int]] = field(default_factory=dict)  # kind -> book ids
    chargers: dict[str, int] = field(default_factory=dict)  # name -> book id


def add_owner(database: Database, email: str) -> int:
    with database.transaction() as session:
        user = UserRow(email=email, password_hash="!", role="owner", created_at=NOW)
        session.add(user)
        session.flush()
        return user.id


def build_credit_world(
    database: Database, clock: FixedClock, *, rosa: int | None = None, nina: int | None = None
) -> CreditWorld:
    """The book above; `rosa` / `nina`: existing users (web tests sign them in), else made."""
    world = CreditWorld(
        rosa if rosa is not None else add_owner(database, "rosa@example.com"),
        nina if nina is not None else add_owner(database, "nina@example.com"),
    )
    with database.transaction() as session:
        store = EreStore(session, clock)
        email = store.users.get(world.rosa).email
        chargers = ChargerRepository(session, clock)

        def charger(key: str, owner: int, *, mid: bool) -> int:
            meter = MidMeter(True, f"M{key}", 1) if mid else MidMeter(enabled=False)
            # A Copper SB (its part number) reports a MID meter; the example is a Pulsar Plus.
            kind = {"part_number": "CPB1-0-2-4-9-002-E", "model": "Copper SB"} if mid else {}
            return chargers.upsert(example_charger(key, mid=meter, **kind), owner_user_id=owner).id

        copper = charger("8001", world.rosa, mid=True)
        pulsar = charger("8002", world.rosa, mid=False)
        second = charger("8003", world.rosa, mid=True)
        loose = charger("8004", world.rosa, mid=True)
        nina_mid = charger("8005", world.nina, mid=True)
        nina_plain = charger("8006", world.nina, mid=False)
        world.chargers.update(copper=copper, pulsar=pulsar, nina_mid=nina_mid)
        address = Address("Laan", "1", "1234 AB", "Utrecht")
        add_connection(store, ean=ean(1), customer_email=email, connected_party_name="Rosa",
                       address=address, charger_ids=[copper, pulsar])  # fmt: skip
        add_connection(store, ean=ean(2), customer_email=email, connected_party_name="Rosa",
                       address=address, charger_ids=[second])  # fmt: skip
        mid = MeteringKind.INTEGRATED_MID
        proof = MeteringEvidence(reference="installer's invoice")
        record_construct(store, copper, kind=mid, mid_serial="M8001", explanation="test",
                         valid_from=datetime(2026, 6, 15, tzinfo=UTC), evidence=proof)  # fmt: skip
        record_construct(store, pulsar, kind=MeteringKind.NONE, explanation="test",
                         valid_from=datetime(2026, 1, 1, tzinfo=UTC), evidence=proof)  # fmt: skip
        record_construct(store, second, kind=mid, mid_serial="M8003", explanation="test",
                         valid_from=datetime(2026, 1, 1, tzinfo=UTC), evidence=proof)  # fmt: skip
        add_mandate(store, ean=ean(1), service_provider_id="chargebook", first_year=2026,
                    last_year=2026, consent_grid_operator_data=True, consent_verifier_visit=True,
                    signed_by_name="Rosa", signed_on=date(2026, 1, 2))  # fmt: skip
        set_price(store, Q2, Decimal("0.45"))
        set_price(store, Q3, Decimal("0.47"))

        def add(kind: str, charger_id: int, start: datetime, kwh: str, *, minutes: int = 90,
                mid: bool = True, registers: tuple[int, int] | None = None) -> None:  # fmt: skip
            raw = canonical_json({"id": f"{kind}-{start.isoformat()}-{charger_id}"})
            row = ChargingSessionRow(
                charger_id=charger_id, source="wallbox_cloud",
                external_id=f"{kind}-{len(world.sessions.get(kind, []))}-{charger_id}",
                started_at=start, ended_at=start + timedelta(minutes=minutes),
                energy_kwh=Decimal(kwh), mid_energy_kwh=Decimal(kwh) if mid else None,
                discharged_energy_kwh=Decimal(0), raw_payload=raw, raw_sha256=sha256_hex(raw),
                meter_start_wh=registers[0] if registers else None,
                meter_stop_wh=registers[1] if registers else None,
                state="ok", first_seen_at=NOW, last_seen_at=NOW,
            )  # fmt: skip
            session.add(row)
            session.flush()
            world.sessions.setdefault(kind, []).append(row.id)

        def day(month: int, d: int, year: int = 2026) -> datetime:
            return datetime(year, month, d, 18, tzinfo=UTC)

        for d in (1, 2, 3):
            add("before_meter", copper, day(6, d), "10")
        for d in (20, 21):
            add("paid", copper, day(6, d), "10")
        for d in (1, 2, 3, 4, 5):
            add("registered", copper, day(7, d), "10")
        # Q2 and Q3 registered, stated; Q2 paid.
        for period in (Q2, Q3):
            created = create_batch(store, period, parameters=load_parameters(), now=clock.now())
            finalize_batch(store, created.batch.id)
            (statement,) = generate_statements(store, period)
            if period == Q2:
                # A payout is paid only to an account the owner entered.
                set_payout_account(
                    store, SecretBox(Fernet.generate_key()), user_id=world.rosa,
                    iban="NL91ABNA0417164300", holder="Rosa", actor="rosa",
                )  # fmt: skip
                mark_paid(store, statement.id, "BANK-1")
        for d in (10, 11):
            add("late", copper, day(9, d), "10")
        for d in (1, 2, 3, 4):
            add("eligible", copper, day(10, d), "10")
        add("overlap", copper, day(11, 1), "10", minutes=240)
        add("overlap", copper, day(11, 1) + timedelta(hours=1), "10")
        for d in (5, 6, 7):
            add("no_mid", pulsar, day(10, d), "7", mid=False)
        for d in (8, 9):
            add("no_mandate", second, day(10, d), "5")
        for d in (10, 11):
            add("not_linked", loose, day(10, d), "6")
        for d, kwh in ((3, "10"), (4, "12.5"), (5, "7.345")):
            add("nina", nina_mid, day(2, d), kwh)
        add("nina_2025", nina_mid, day(12, 5, 2025), "9")
        add("nina_plain", nina_plain, day(3, 6), "11", mid=False, registers=(0, 11_000))
        # OCPP-like: no MID kWh reported, but the registers of a charger with a MID meter.
        add("nina_registers", nina_mid, day(3, 7), "5", mid=False, registers=(1_000, 6_000))
    return world


# What every door must show for Rosa: (outcome or reason) -> (sessions, kWh) per quarter.
EXPECTED = {
    Q4: {
        "eligible": (4, Decimal(40)),
        "held_back": (9, Decimal(20 + 21 + 10 + 12)),
        "registered": (0, Decimal(0)),
        "paid": (0, Decimal(0)),
        "metering_not_qualifying": (3, Decimal(21)),
        "overlaps_other_session": (2, Decimal(20)),
        "no_mandate": (2, Decimal(10)),
        "charger_not_linked": (2, Decimal(12)),
    },
    Q3: {
        "eligible": (2, Decimal(20)),
        "held_back": (0, Decimal(0)),
        "registered": (5, Decimal(50)),
        "paid": (0, Decimal(0)),
    },
    Q2: {
        "eligible": (0, Decimal(0)),
        "held_back": (3, Decimal(30)),
        "registered": (0, Decimal(0)),
        "paid": (2, Decimal(20)),
        "no_metering_construct": (3, Decimal(30)),
    },
}
