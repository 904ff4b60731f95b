"""A session's cost at its owner's tariff, for every door (session page, API).

The owner is the charger row's (an earlier owner's row of a transferred charger keeps theirs),
the tariff the one in force when the energy was drawn (`chargebook.tariffs`).
"""

from __future__ import annotations

from collections.abc import Sequence

from chargebook.book.sessions import session_samples
from chargebook.db import SqlSession
from chargebook.domain.book import SessionSample
from chargebook.domain.stored import BookSession, StoredCharger
from chargebook.domain.tariff_costs import TariffCost
from chargebook.settings import Settings
from chargebook.tariffs.session_cost import session_tariff_cost


def session_cost(
    db: SqlSession,
    settings: Settings,
    charger: StoredCharger,
    session: BookSession,
    samples: Sequence[SessionSample] | None = None,
) -> TariffCost | None:
    """EUR at the tariff (None: the session has no times or energy); `samples` when the
    caller read them already."""
    points = session_samples(db, session) if samples is None else samples
    return session_tariff_cost(db, settings, session, charger.owner_user_id, points)
