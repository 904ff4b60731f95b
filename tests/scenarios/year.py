"""An owner's ERE year as the scenario walks it: the simulated world, and what a book holds
of that year afterwards (`YearOutcome`), read the same way whichever door wrote it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from xml.etree import ElementTree

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere.calculator import round_ere
from chargebook.ere.periods import DUTCH_ZONE
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

# The simulator's clock: December 2026, history back to Christmas 2025 (the ERE year needs
# every session from 1 January).
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
HISTORY_DAYS = 345
QUARTER = DeliveryPeriod(2026, 1)
EAN = "871999000000000179"  # a test EAN (valid GS1 check digit)
ERE_PER_KWH_2026 = Decimal("0.332694")  # ere/parameters.json: 0.505 x 183 x 3.6 / 1000
PRICE = Decimal("0.489")
FEE = Decimal("0.20")
OWNER_IBAN = "NL02ABNA0123456789"  # textbook IBANs with valid check digits
OPERATOR = {"name": "Scenario Operator", "iban": "NL91ABNA0417164300", "bic": "ABNANL2A"}
Q1_START = datetime(2026, 1, 1, tzinfo=DUTCH_ZONE)
Q1_END = datetime(2026, 4, 1, tzinfo=DUTCH_ZONE)


def sepa_transfers(xml: bytes) -> list[tuple[str, Decimal]]:
    """(creditor IBAN, amount) of each transfer in a pain.001 file, read back as a bank would."""
    root = ElementTree.fromstring(xml)  # noqa: S314  (our own file, just written)
    namespace = {"p": root.tag.split("}")[0].strip("{")}
    return [
        (
            transfer.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=namespace) or "",
            Decimal(transfer.findtext("p:Amt/p:InstdAmt", namespaces=namespace) or "NaN"),
        )
        for transfer in root.iterfind(".//p:CdtTrfTxInf", namespace)
    ]


def simulator() -> WallboxSimulator:
    """The demo account: a Pulsar Plus (no MID) and a Copper SB (MID) of one owner."""
    config = SimulatorConfig(
        seed=1, accounts=1, chargers_per_account=2, days=HISTORY_DAYS, partner_mode=True
    )
    return WallboxSimulator(config, clock=FixedClock(NOW))


@dataclass(frozen=True)
class Truth:
    """What the simulated meters measured in the first quarter, per charger model."""

    copper_q1_kwh: Decimal  # MID kWh (net of energy fed back)
    copper_q1_sessions: frozenset[str]  # external ids
    pulsar_q1_sessions: frozenset[str]
    # Delivered in Q1 (a session's period is that of its end) but plugged in before the
    # construct's 1 January start: not covered by it, held back.

    @property
    def expected_ere(self) -> Decimal:
        """EREs = MID kWh x 0.332694, rounded once to 0.1 ERE half up (calculator.py)."""
        return round_ere(self.copper_q1_kwh * ERE_PER_KWH_2026)


def truth(sim: WallboxSimulator) -> Truth:
    """The first quarter by the rules' calendar: a session is delivered when it ends."""
    kwh, copper, pulsar = Decimal(0), set(), set()
    for charger_id, charger in sim.chargers.items():
        for planned, attributes in sim.ended_sessions(charger_id):
            if not Q1_START <= planned.end < Q1_END:
                continue
            if charger.model.mid:  # MID-metered from its first session (December 2025)
                kwh += Decimal(str(attributes["mid_energy"])) - Decimal(
                    str(attributes["discharged_energy"])
                )
                copper.add(str(planned.id))
            else:
                pulsar.add(str(planned.id))
    return Truth(kwh, frozenset(copper), frozenset(pulsar))


@dataclass(frozen=True)
class YearOutcome:
    """The first quarter as a book holds it after the year was walked."""

    batch_status: str
    batch_ere: Decimal
    batch_kwh: Decimal
    registered: frozenset[str]  # external ids of the registered sessions
    registrations: int  # rows in ere_batch_sessions (each session at most once)
    statement: tuple[Decimal, Decimal, Decimal, Decimal, Decimal, str]  # ere price gross fee pay
    batches: int


def outcome(database: Database) -> YearOutcome:
    with database.session() as session:
        store = EreStore(session, FixedClock(NOW))
        batches = store.batches.list(period=QUARTER)
        batch = batches[0]
        registered = [r.external_id for r in store.batches.registered_sessions(batch.id)]
        statements = store.statements.list(period=QUARTER)
        assert len(statements) == 1, statements
        s = statements[0]
        return YearOutcome(
            batch_status=batch.status.value,
            batch_ere=batch.total_ere,
            batch_kwh=batch.total_energy_kwh,
            registered=frozenset(registered),
            registrations=len(registered),
            statement=(
                s.ere,
                s.price_eur_per_ere,
                s.gross_eur,
                s.fee_eur,
                s.payout_eur,
                s.payout_status.value,
            ),
            batches=len(batches),
        )
