"""A book with three owners' finalized 2026 statements (pending payouts), for the payout tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cryptography.fernet import Fernet

from chargebook.crypto import SecretBox
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere.service import create_batch, finalize_batch, generate_statements, set_price
from chargebook.ere.service.sepa_file import SepaDebtor

from .helpers import PARAMETERS, BookBuilder, daily_records, mid_charger

YEAR = DeliveryPeriod(2026)
DEBTOR = SepaDebtor("chargebook B.V.", "NL02ABNA0123456789", "ABNANL2A")
IBANS = {"anna": "NL91ABNA0417164300", "bram": "DE89370400440532013000"}


@dataclass
class PayoutWorld:
    box: SecretBox
    users: dict[str, int]  # anna, bram, cees
    statements: dict[str, int]  # name -> statement id


def payout_world(book: BookBuilder) -> PayoutWorld:
    """anna 2,500 kWh, bram 3,000 kWh, cees 100 kWh in 2026, stated at EUR 0.50 per ERE."""
    book.sync(
        [mid_charger("501"), mid_charger("502"), mid_charger("503")],
        daily_records("501", "a", 250, "10")
        + daily_records("502", "b", 300, "10")
        + daily_records("503", "c", 10, "10"),
    )
    users = {
        "anna": book.customer("anna@example.com", "20000000000001", ["501"]).user_id,
        "bram": book.customer("bram@example.com", "20000000000002", ["502"]).user_id,
        "cees": book.customer("cees@example.com", "20000000000003", ["503"]).user_id,
    }
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        created = create_batch(store, YEAR, parameters=PARAMETERS, now=book.clock.now())
        finalize_batch(store, created.batch.id)
        set_price(store, YEAR, Decimal("0.50"))
        stated = generate_statements(store, YEAR)
    by_user = {int(s.customer_id): s.id for s in stated}
    return PayoutWorld(
        SecretBox(Fernet.generate_key()),
        users,
        {name: by_user[user_id] for name, user_id in users.items()},
    )
