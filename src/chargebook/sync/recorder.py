"""The live recorder: samples power and session energy of the chargers of an account.

It shares the account's read budget (3 reads a minute on the real Wallbox Cloud) with the
history sync, the charger page and the commands, so it reads as little as it can:
- a charger that is charging is read on its own (its status), every `charging_interval_s`;
- the idle ones are not: every `idle_interval_s` one overview read (the account's charger
  listing, which carries every charger's state) notices a session that starts, at the cost
  of one read for all of them, as the Wallbox app's charger list does.
A cloud without an overview (`ChargerOverview`) is read charger by charger at the idle cadence.
The next poll never comes so soon that the recorder uses more than `read_share` of the
budget. Samples are linked to their session by the sync once the session shows up in the
history (`SessionBook.link_samples`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chargebook.clock import Clock
from chargebook.domain.book import SessionSample
from chargebook.domain.models import Charger, ChargerReading, ChargerState, ChargerStatus
from chargebook.domain.ports import BookOpener, ChargerOverview
from chargebook.errors import ChargebookError
from chargebook.sync.accounts import AccountSource

_LOGGER = logging.getLogger(__name__)

ACTIVE_STATES = frozenset({ChargerState.CHARGING, ChargerState.DISCHARGING})


@dataclass(frozen=True, slots=True)
class RecorderConfig:
    """Polling cadence; seconds.

    Attributes:
        charging_interval_s: between status reads of a charging charger (the cloud itself
            refreshes about every 30 s; 60-120 s keeps within Wallbox's 3 reads/minute).
        idle_interval_s: between overview reads (every charger's state at once), which is
            how a charger that starts charging is noticed.
        read_share: the part of the account's read budget the recorder may use (0-1].
        chargers_refresh_s: how often the chargers' facts are written to the book unchanged.
        error_backoff_s: the wait after a failed poll.
        idle_sample_s: an idle charger's overview reading is stored when its state changed,
            else at most this often (the book's last sample stays recent; no row per read).
    """

    charging_interval_s: float = 90.0
    idle_interval_s: float = 300.0
    read_share: float = 0.5
    chargers_refresh_s: float = 6 * 3600.0
    error_backoff_s: float = 300.0
    idle_sample_s: float = 1800.0

    def __post_init__(self) -> None:
        if not 0 < self.read_share <= 1:
            raise ValueError("read_share must be in (0, 1]")


def next_poll_delay_s(
    *, charging: bool, chargers: int, reads_per_minute: int | None, config: RecorderConfig
) -> float:
    """Seconds until the next poll of an account.

    Args:
        charging: a car is charging (or discharging) at one of the chargers.
        chargers: reads per round (one per charging charger; one overview when idle).
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


def sample_from_reading(reading: ChargerReading) -> SessionSample | None:
    """One sample from an overview reading; None when it lacks power or energy."""
    if reading.charging_power_kw is None or reading.session_energy_kwh is None:
        return None
    return SessionSample(
        source=reading.charger.source,
        charger_external_id=reading.charger.external_id,
        observed_at=reading.observed_at,
        power_kw=reading.charging_power_kw,
        energy_kwh=reading.session_energy_kwh,
        state=reading.state,
        status_code=reading.status_code,
    )


@dataclass
class _Watch:
    """What the recorder knows of one account between polls."""

    chargers: dict[str, Charger] = field(default_factory=dict)
    charging: set[str] = field(default_factory=set)  # charging at their last reading
    overview_at: datetime | None = None
    # Another chargebook user's chargers: nothing of them is recorded through this account
    # (chargebook.domain.ownership); asked again when the chargers' facts are refreshed.
    held: set[str] = field(default_factory=set)
    listed_at: datetime | None = None  # the charger list (clouds without an overview)
    stored: dict[str, Charger] = field(default_factory=dict)  # facts last written
    stored_at: datetime | None = None
    # charger id -> (when, status code, state) of its last stored idle sample
    idle_sampled: dict[str, tuple[datetime, int, ChargerState]] = field(default_factory=dict)


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
        self._watches: dict[int, _Watch] = {}

    async def poll_account(self, account: AccountSource) -> float:
        """Record the account's chargers as cheaply as their state allows (see the module
        docstring); returns seconds until the next poll.

        Errors of the cloud are logged and answered with a longer wait, never raised: a
        missed sample is only a gap in a chart.
        """
        watch = self._watches.setdefault(account.account_id, _Watch())
        now = self._clock.now()
        samples: dict[str, SessionSample] = {}
        refresh = timedelta(seconds=self.config.chargers_refresh_s)
        if watch.stored_at is not None and now - watch.stored_at >= refresh:
            watch.held.clear()  # a transfer may have made one of them ours
        try:
            due = watch.overview_at is None or (
                now - watch.overview_at >= timedelta(seconds=self.config.idle_interval_s)
            )
            if due:
                samples.update(await self._overview(account, watch))
                watch.overview_at = now
            for charger_id in sorted(watch.charging - set(samples)):
                status = await account.cloud.get_status(charger_id)
                sample = sample_from_status(status, watch.chargers[charger_id])
                if sample is not None:
                    samples[charger_id] = sample
                self._note_state(watch, charger_id, status.state)
        except ChargebookError as exc:
            _LOGGER.warning("recording %s failed: %s", account.label, exc.message)
            return self.config.error_backoff_s
        self._write(account, watch, list(samples.values()), now)
        # An idle round is one overview read, or a status read per charger without one.
        idle_reads = 1 if isinstance(account.cloud, ChargerOverview) else len(watch.chargers)
        return next_poll_delay_s(
            charging=bool(watch.charging),
            chargers=len(watch.charging) or idle_reads,
            reads_per_minute=self._reads_per_minute,
            config=self.config,
        )

    async def _overview(self, account: AccountSource, watch: _Watch) -> dict[str, SessionSample]:
        """Every charger's state: one overview read, or a status read each without one."""
        cloud = account.cloud
        samples: dict[str, SessionSample] = {}
        if isinstance(cloud, ChargerOverview):
            readings = [
                r for r in await cloud.read_overview() if r.charger.external_id not in watch.held
            ]
            watch.chargers = {r.charger.external_id: r.charger for r in readings}
            for reading in readings:
                charger_id = reading.charger.external_id
                self._note_state(watch, charger_id, reading.state)
                sample = sample_from_reading(reading)
                if sample is None or charger_id in watch.charging:
                    continue  # a charging charger's status is read next: the exact power
                if self._idle_sample_due(watch, sample):
                    samples[charger_id] = sample
            watch.charging &= set(watch.chargers)
            return samples
        now = self._clock.now()
        refresh = timedelta(seconds=self.config.chargers_refresh_s)
        if watch.listed_at is None or now - watch.listed_at >= refresh:
            listed = await cloud.list_chargers()
            watch.chargers = {c.external_id: c for c in listed if c.external_id not in watch.held}
            watch.listed_at = now
            watch.charging &= set(watch.chargers)
        for charger_id, charger in watch.chargers.items():
            status = await cloud.get_status(charger_id)
            sample = sample_from_status(status, charger)
            if sample is not None:
                samples[charger_id] = sample
            self._note_state(watch, charger_id, status.state)
        return samples

    def _idle_sample_due(self, watch: _Watch, sample: SessionSample) -> bool:
        last = watch.idle_sampled.get(sample.charger_external_id)
        due = (
            last is None
            or last[1:] != (sample.status_code, sample.state)
            or sample.power_kw > 0
            or (sample.observed_at - last[0]).total_seconds() >= self.config.idle_sample_s
        )
        if due:
            key = sample.charger_external_id
            watch.idle_sampled[key] = (sample.observed_at, sample.status_code, sample.state)
        return due

    @staticmethod
    def _note_state(watch: _Watch, charger_id: str, state: ChargerState) -> None:
        if state in ACTIVE_STATES:
            watch.charging.add(charger_id)
        else:
            watch.charging.discard(charger_id)

    def _write(
        self, account: AccountSource, watch: _Watch, samples: list[SessionSample], now: datetime
    ) -> None:
        """The samples, and the chargers' facts when they changed or are due a refresh."""
        refresh = timedelta(seconds=self.config.chargers_refresh_s)
        facts_due = watch.chargers != watch.stored or (
            watch.stored_at is None or now - watch.stored_at >= refresh
        )
        if not samples and not facts_due:
            return
        with self._open_book() as book:
            if facts_due and watch.chargers:
                held = book.upsert_chargers(account.account_id, list(watch.chargers.values()))
                gone = {c.external_id for c in held}
                if gone:
                    watch.held |= gone
                    watch.charging -= gone
                    watch.chargers = {k: c for k, c in watch.chargers.items() if k not in gone}
                    samples = [s for s in samples if s.charger_external_id not in gone]
                watch.stored, watch.stored_at = dict(watch.chargers), now
            book.add_samples(samples)
            book.commit()
