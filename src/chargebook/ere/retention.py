"""How long registered evidence is kept (ere-rules.md §5.6).

The NEa may correct a booking up to 5 years after the calendar year, and verification
records are kept at least 5 years after the verification year (Y+1). So everything that
proves a booking of delivery year Y (registered sessions and their raw payloads, batches,
evidence, mandates and their documents, statements and payouts) is kept at least through
31 December of Y+1+5. Nothing in chargebook deletes it sooner; the database refuses it.
"""

from __future__ import annotations

from datetime import date

RETENTION_YEARS = 5


def kept_until(delivery_year: int) -> date:
    """The first day the evidence of `delivery_year` may go (1 January of Y + 1 + 5 + 1)."""
    return date(delivery_year + 1 + RETENTION_YEARS + 1, 1, 1)


def retention_message(delivery_year: int) -> str:
    """The sentence a refused delete shows."""
    return (
        f"registered ERE evidence of {delivery_year} is kept until "
        f"{kept_until(delivery_year).isoformat()} (the NEa can correct bookings for five "
        "years); it cannot be deleted"
    )
