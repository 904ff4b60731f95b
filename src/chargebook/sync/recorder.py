"""The live recorder: samples power and session energy of every charger of an account.

Each poll reads the status of every charger (one GET each) and stores one sample per charger.
The next poll comes soon while a car charges and late while all chargers idle, and never so
often that the recorder uses more than its share of the account's read budget, which the
history sync needs too. Samples are linked to their session by the sync once the session
shows up in the history (`SessionBook.link_samples`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from chargebook.clock import Clock
from chargebook.domain.book import SessionSample
from chargebook.domain.models import Charger, ChargerState, ChargerStatus
from chargebook.domain.ports import BookOpener
from chargebook.errors import ChargebookError
from chargebook.sync.engine import AccountSource

_LOGGER = logging.getLogger(__name__)

ACTIVE_STATES = frozenset({ChargerState.CHARGING, ChargerState.DISCHARGING})


@dataclass(frozen=True, slots=True)
class RecorderConfig:
    """Polling cadence; seconds.

    Attributes:
        charging_interval_s: between polls while any charger charges (the cloud itself
            refreshes about every 30 s; 60-120 s keeps within Wallbox's 3 reads/minute).
        idle_interval_s: between polls while every charger idles.
        read_share: the part of the account's read budget the recorder may use (0-1].
        chargers_refresh_s: how often the charger list is read again.
        error_backoff_s: the wait after a failed poll.
    """

    charging_interval_s: float = 90.0
    idle_interval_s: float = 720.0
    read_share: float = 0.5
    chargers_refresh_s: float = 6 * 3600.0
    error_backoff_s: float = 300.0

    def __post_init__(self) -> None:
        if not 0 < self.read_share <= 1:
            raise ValueError("read_share must be in (0, 1]")


def next_poll_delay_s(
    *, charging: bool, chargers: int, reads_per_minute: int | None, config: RecorderConfig
) -> float:
    """Seconds until the next poll of an account.

    Args:
        charging: a car is charging (or discharging) at one of the chargers.
        chargers: chargers polled per round (one status read each).
        reads_per_minute: the account's read budget, None when unlimited (partner mode).
    """
    base_s = config.charging_interval_s if charging else config.idle_interval_s
    if reads_per_minute is None or chargers == 0:
        return base_s
    budget_floor_s = chargers * 60.0 / (reads_per_minute * config.read_share)
    return max(base_s, budget_floor_s)


def sample_from_status(status: ChargerStatus, source_charger: Charger) -> SessionSample | None:
    """One sample from one status reading; None when the reading lacks its power, energy or
    status code (the cloud left them out or null): a gap in the chart, like a failed read."""
    if (
        status.charging_power_kw is None
        or status.session_energy_kwh is None
        or status.status_code is None
    ):
        return None
    return SessionSample(
        source=source_charger.source,
        charger_external_id=status.charger_external_id,
        observed_at=status.observed_at,
        power_kw=status.charging_power_kw,
        energy_kwh=status.session_energy_kwh,
        state=status.state,
        status_code=status.status_code,
    )


class Recorder:
    """Polls accounts and writes samples; one `poll_account` call is one round."""

    def __init__(
        self,
        open_book: BookOpener,
        clock: Clock,
        config: RecorderConfig | None = None,
        *,
        reads_per_minute: int | None = 3,
    ) -> None:
        self._open_book = open_book
        self._clock = clock
        self.config = config or RecorderConfig()
        self._reads_per_minute = reads_per_minute
        self._chargers: dict[int, tuple[datetime, list[Charger]]] = {}

    async def poll_account(self, account: AccountSource) -> float:
        """Record one sample per charger of `account`; returns seconds until the next poll.

        Errors of the cloud are logged and answered with a longer wait, never raised: a
        missed sample is only a gap in a chart.
        """
        try:
            chargers, fresh = await self._chargers_of(account)
            samples = []
            for charger in chargers:
                status = await account.cloud.get_status(charger.external_id)
                sample = sample_from_status(status, charger)
                if sample is not None:
                    samples.append(sample)
        except ChargebookError as exc:
            _LOGGER.warning("recording %s failed: %s", account.label, exc.message)
            return self.config.error_backoff_s
        with self._open_book() as book:
            if fresh:
                held = book.upsert_chargers(account.account_id, chargers)
                if held:
                    # Another chargebook user's charger: its readings are not recorded
                    # through this account (chargebook.domain.ownership), now or later.
                    gone = {c.external_id for c in held}
                    chargers = [c for c in chargers if c.external_id not in gone]
                    samples = [s for s in samples if s.charger_external_id not in gone]
                    self._chargers[account.account_id] = (self._clock.now(), chargers)
            book.add_samples(samples)
            book.commit()
        return next_poll_delay_s(
            charging=any(sample.state in ACTIVE_STATES for sample in samples),
            chargers=len(chargers),
            reads_per_minute=self._reads_per_minute,
            config=self.config,
        )

    async def _chargers_of(self, account: AccountSource) -> tuple[list[Charger], bool]:
        cached = self._chargers.get(account.account_id)
        now = self._clock.now()
        if cached and now - cached[0] < timedelta(seconds=self.config.chargers_refresh_s):
            return cached[1], False
        chargers = await account.cloud.list_chargers()
        self._chargers[account.account_id] = (now, chargers)
        return chargers, True
