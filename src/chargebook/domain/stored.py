"""What the book holds, as read back: chargers and sessions with their book ids, monthly totals
and audit entries. Energy and money are Decimal; datetimes are UTC-aware."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chargebook.domain.book import SessionState
from chargebook.domain.models import Charger, ChargerSource


@dataclass(frozen=True, slots=True)
class StoredCharger:
    """A charger in the book: its book id, who it belongs to and what its source says."""

    id: int
    charger: Charger
    # The key of the account that syncs and controls it (`domain.account_keys`: a myWallbox
    # account's id, or minus a brand account's id); None for OCPP and transferred rows.
    account_id: int | None
    owner_user_id: int | None
    created_at: datetime
    updated_at: datetime
    # When its owner's period ended (a transfer to another owner): the earlier owner keeps
    # the row and the sessions that started before; None for the charger's current owner.
    owner_until: datetime | None = None

    @property
    def transferred(self) -> bool:
        """Whether this is an earlier owner's period of a charger (read-only history)."""
        return self.owner_until is not None


@dataclass(frozen=True, slots=True)
class BookSession:
    """One charging session as the book holds it; [started_at, ended_at) is half-open.

    Times and energy are None only for a quarantined record that could not be parsed.
    """

    id: int
    charger_id: int
    source: ChargerSource
    external_id: str
    started_at: datetime | None
    ended_at: datetime | None
    energy_kwh: Decimal | None
    mid_energy_kwh: Decimal | None
    discharged_energy_kwh: Decimal | None
    meter_start_wh: int | None
    meter_stop_wh: int | None
    cost: Decimal | None
    currency: str | None
    state: SessionState
    quarantine_reason: str | None
    raw_sha256: str
    first_seen_at: datetime
    last_seen_at: datetime

    @property
    def duration_s(self) -> int | None:
        """Whole seconds between start and end, if both are known."""
        if self.started_at is None or self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds())


@dataclass(frozen=True, slots=True)
class SessionTotals:
    """Totals over a set of sessions: how many, kWh, whole seconds charged, cost (None when
    no session has a cost)."""

    count: int
    energy_kwh: Decimal
    duration_s: int
    cost: Decimal | None


@dataclass(frozen=True, slots=True)
class MonthlyEnergy:
    """Energy charged in one calendar month (local time of the chosen zone)."""

    month: date  # the first day of the month
    energy_kwh: Decimal
    session_count: int
    cost: Decimal | None = None  # summed over the sessions that have a cost; None if none has
    costed_count: int = 0  # how many of the sessions have a cost

    @property
    def cost_complete(self) -> bool:
        """Every session of the month has a cost (else `cost` covers only some)."""
        return self.costed_count == self.session_count


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the append-only audit log; `payload_sha256` hashes its canonical JSON."""

    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str | None
    payload: Mapping[str, Any]
    payload_sha256: str
