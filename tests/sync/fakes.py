"""In-memory fakes of the ports the sync core uses: a charger cloud and a transactional book."""

from __future__ import annotations

import copy
import math
import random
from collections.abc import AsyncIterator, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from chargebook.clock import Clock
from chargebook.domain.book import (
    SessionSample,
    SessionState,
    StoredSession,
    SyncState,
    UpsertPlan,
)
from chargebook.domain.models import (
    Charger,
    ChargerSource,
    ChargerStatus,
    ChargingSession,
    MidMeter,
    SessionRecord,
)
from chargebook.domain.ports import BookTransaction, PageListener
from chargebook.errors import ChargebookError

SOURCE = ChargerSource.WALLBOX_CLOUD


def make_charger(external_id: str, max_current_a: int | None = 32) -> Charger:
    return Charger(
        source=SOURCE,
        external_id=external_id,
        name=f"Pulsar {external_id}",
        serial_number=external_id,
        part_number=None,
        model="Pulsar Plus",
        firmware_version=None,
        max_current_a=max_current_a,
        time_zone="Europe/Amsterdam",
        mid=MidMeter(enabled=False),
    )


def raw_session(
    session_id: int, charger_id: str, start: datetime, hours: float = 2.0, energy: float = 10.0
) -> dict[str, Any]:
    start_s = int(start.timestamp())
    return {
        "id": str(session_id),
        "charger": int(charger_id),
        "start": start_s,
        "end": start_s + int(hours * 3600),
        "energy": energy,
        "mid_energy": 0,
        "discharged_energy": 0,
    }


def to_record(charger_id: str, raw: Mapping[str, Any]) -> SessionRecord:
    """What a client would yield: parsed when every field is there, else a problem."""
    try:
        session = ChargingSession(
            source=SOURCE,
            external_id=str(raw["id"]),
            charger_external_id=charger_id,
            started_at=datetime.fromtimestamp(raw["start"], UTC),
            ended_at=datetime.fromtimestamp(raw["end"], UTC),
            energy_kwh=Decimal(str(raw["energy"])),
            mid_energy_kwh=Decimal(str(raw["mid_energy"])),
            discharged_energy_kwh=Decimal(str(raw["discharged_energy"])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        return SessionRecord(
            source=SOURCE,
            charger_external_id=charger_id,
            external_id=str(raw["id"]) if "id" in raw else None,
            raw=raw,
            session=None,
            problem=f"missing or malformed field: {exc}",
        )
    return SessionRecord(
        source=SOURCE,
        charger_external_id=charger_id,
        external_id=session.external_id,
        raw=raw,
        session=session,
    )


class FakeCloudError(ChargebookError):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass
class FakeCloud:
    """A ChargerCloud over dicts; `fail_after` raises after that many history requests."""

    chargers: list[Charger]
    sessions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    statuses: dict[str, list[ChargerStatus]] = field(default_factory=dict)
    fail_after: int | None = None
    fail_retryable: bool = True
    fail_listing: ChargebookError | None = None
    duplicate_every: int = 0
    request_count: int = 0
    retry_count: int = 0
    windows: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    page_size: int = 1000

    async def list_chargers(self) -> list[Charger]:
        self.request_count += 1
        if self.fail_listing is not None:
            raise self.fail_listing
        return list(self.chargers)

    async def get_status(self, charger_id: str) -> ChargerStatus:
        self.request_count += 1
        queue = self.statuses[charger_id]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    async def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        """Serves the range in pages of `page_size` (one request each), as the client does."""
        if self.fail_after is not None and len(self.windows) >= self.fail_after:
            self.request_count += 1
            raise FakeCloudError("history unavailable", retryable=self.fail_retryable)
        self.windows.append((charger_id, start, end))
        lo, hi = start.timestamp(), end.timestamp()
        matched = [r for r in self.sessions.get(charger_id, []) if lo <= r.get("start", lo) < hi]
        pages = max(1, math.ceil(len(matched) / self.page_size))
        served = 0
        for number in range(1, pages + 1):
            self.request_count += 1
            if on_page is not None:
                on_page(number, pages)
            for raw in matched[(number - 1) * self.page_size : number * self.page_size]:
                yield to_record(charger_id, raw)
                served += 1
                if self.duplicate_every and served % self.duplicate_every == 0:
                    yield to_record(charger_id, raw)  # a page overlapping the previous one


@dataclass
class _State:
    chargers: dict[str, tuple[int, Charger]] = field(default_factory=dict)
    sessions: dict[str, StoredSession] = field(default_factory=dict)
    sync: dict[str, SyncState] = field(default_factory=dict)
    samples: dict[tuple[str, datetime], SessionSample] = field(default_factory=dict)
    sample_links: dict[tuple[str, datetime], str] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    outcomes: dict[int, tuple[datetime, str | None]] = field(default_factory=dict)
    intervals: dict[str, tuple[str, datetime, datetime]] = field(default_factory=dict)


class FakeBook:
    """A transactional in-memory book: each transaction works on a copy, swapped in on commit."""

    def __init__(self) -> None:
        self.state = _State()
        self.commits = 0
        self.fail_on_commit: int | None = None  # simulate a crash at the n-th commit
        # A commit whose transaction wrote sessions of this charger raises this error.
        self.failing_charger: tuple[str, ChargebookError] | None = None

    @contextmanager
    def open(self) -> Iterator[BookTransaction]:
        yield _FakeTx(self)

    def ok_sessions(self) -> dict[str, StoredSession]:
        return {k: v for k, v in self.state.sessions.items() if v.state is SessionState.OK}


class _FakeTx:
    def __init__(self, book: FakeBook) -> None:
        self._book = book
        self._s = copy.deepcopy(book.state)
        self._touched: set[str] = set()  # chargers whose sessions this transaction wrote

    def commit(self) -> None:
        failing = self._book.failing_charger
        if failing is not None and failing[0] in self._touched:
            raise failing[1]
        if (
            self._book.fail_on_commit is not None
            and self._book.commits >= self._book.fail_on_commit
        ):
            raise KeyboardInterrupt("simulated crash")
        # A copy: what is stored never aliases the caller's objects (a cloud's dicts).
        self._book.state = copy.deepcopy(self._s)
        self._book.commits += 1

    def upsert_chargers(self, account_id: int, chargers: Sequence[Charger]) -> list[Charger]:
        for charger in chargers:
            self._s.chargers[charger.external_id] = (account_id, charger)
        return []

    def find_sessions(
        self, source: ChargerSource, external_ids: Collection[str]
    ) -> Mapping[str, StoredSession]:
        return {i: self._s.sessions[i] for i in external_ids if i in self._s.sessions}

    def apply_upsert(self, plan: UpsertPlan) -> None:
        for entry in [*plan.inserts, *(change.new for change in plan.changes)]:
            assert entry.charger_external_id in self._s.chargers
            self._touched.add(entry.charger_external_id)
            self._s.sessions[entry.external_id] = StoredSession(
                external_id=entry.external_id,
                charger_external_id=entry.charger_external_id,
                raw=entry.raw,
                raw_sha256=entry.raw_sha256,
                state=entry.state,
                reason=entry.reason,
                started_at=entry.session.started_at if entry.session else None,
            )
            if entry.session is not None and entry.state is SessionState.OK:
                self._s.intervals[entry.external_id] = (
                    entry.charger_external_id,
                    entry.session.started_at,
                    entry.session.ended_at,
                )
            else:
                self._s.intervals.pop(entry.external_id, None)
        for change in plan.changes:
            self._s.audit.append(
                {"id": change.new.external_id, "old": change.old.raw, "new": change.new.raw}
            )

    def link_samples(self, source: ChargerSource, charger_external_id: str) -> int:
        linked = 0
        for key in self._s.samples:
            if key[0] != charger_external_id or key in self._s.sample_links:
                continue
            for session_id, (charger, start, end) in self._s.intervals.items():
                if charger == charger_external_id and start <= key[1] < end:
                    self._s.sample_links[key] = session_id
                    linked += 1
        return linked

    def load_sync_state(self, source: ChargerSource, charger_external_id: str) -> SyncState | None:
        return self._s.sync.get(charger_external_id)

    def save_sync_state(self, source: ChargerSource, state: SyncState) -> None:
        self._s.sync[state.charger_external_id] = state

    def record_account_outcome(self, account_id: int, *, at: datetime, error: str | None) -> None:
        self._s.outcomes[account_id] = (at, error)

    def add_samples(self, samples: Sequence[SessionSample]) -> int:
        new = 0
        for sample in samples:
            key = (sample.charger_external_id, sample.observed_at)
            if key not in self._s.samples:
                self._s.samples[key] = sample
                new += 1
        return new


def cloud_with_history(
    clock: Clock,
    days: int = 120,
    seed: int = 3,
    chargers: Sequence[Charger] | None = None,
    first_id: int = 1,
) -> FakeCloud:
    """A cloud whose chargers (default: 101, and 102 at 16 A) had a session on about 70 % of
    the last `days` days, ids counting up from `first_id`."""
    rng = random.Random(seed)
    if chargers is None:
        chargers = [make_charger("101"), make_charger("102", max_current_a=16)]
    cloud = FakeCloud(chargers=list(chargers))
    next_id = first_id
    for charger in chargers:
        items = []
        for day in range(days, 0, -1):
            if rng.random() < 0.7:
                start = clock.now() - timedelta(days=day, hours=rng.uniform(0, 6))
                items.append(
                    raw_session(next_id, charger.external_id, start, 3, rng.uniform(1, 20))
                )
                next_id += 1
        cloud.sessions[charger.external_id] = items
    return cloud
