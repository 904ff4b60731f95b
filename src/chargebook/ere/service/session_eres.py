"""EREs per session, for the session page and the book's exports (CSV, XLSX).

- registered: the EREs of the kWh the session was registered with;
- eligible (not registered yet): an estimate, the session's net kWh x the year's factor;
- otherwise no EREs, and the reason code of the first rule it fails (`charger_not_linked`
  for a charger no connection links).

Per session the EREs are rounded to 0.1 ERE half up (`chargebook.ere.round_ere`); a batch
line and a statement round their total kWh once, so the sum of the per-session figures may
differ from them by a few tenths: the statement is what is paid.

Bulk, whatever the number of sessions: one read of the registrations and one of the links
(per 5,000 ids), then the rules once per customer and year (one statement over the year's
quarters that hold listed sessions, `quarters_query`: each quarter judged exactly as the
credits page judges it), never a query per session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, datetime
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.stored import BookSession
from chargebook.ere import ParametersError, ParameterSet, ReasonCode, round_ere
from chargebook.ere.periods import DUTCH_ZONE, quarter_of
from chargebook.ere.service.context import stream_verdicts
from chargebook.ere.service.credits import runs_of_quarters
from chargebook.ere.service.rules_path import RulesPath, rules_path
from chargebook.ere.service.sql_path import invalid_mandates, micro_to_kwh, quarters_query

REGISTERED = "registered"
ESTIMATE = "estimate"
HELD_BACK = "held_back"


@dataclass(frozen=True, slots=True)
class SessionEre:
    status: str  # registered | estimate | held_back
    ere: Decimal | None  # None when held back (or without factors for the year)
    reason: str | None  # the first failing rule's code when held back

    @property
    def label(self) -> str:
        """What a cell shows beside the figure: "registered", "estimate", the reason code."""
        return self.reason or "" if self.status == HELD_BACK else self.status


def _ere(kwh: Decimal, year: int, parameters: ParameterSet) -> Decimal | None:
    try:
        return round_ere(kwh * parameters.for_year(year).ere_per_kwh)
    except ParametersError:
        return None


def _delivery_year(moment: datetime) -> int | None:
    """The local (Dutch) year a session ended in; None when it has no local time or its
    delivery period would reach past the calendar (year 1, year 9999)."""
    try:
        year = moment.astimezone(DUTCH_ZONE).year
    except (OverflowError, ValueError):
        return None
    return year if MINYEAR < year < MAXYEAR else None


def session_eres(
    store: EreStore,
    sessions: Sequence[BookSession],
    *,
    parameters: ParameterSet,
    now: datetime,
) -> dict[int, SessionEre]:
    """EREs per session id for `sessions` (completed ones; a session without an end, or with
    an end that has no local time, is left out of the answer)."""
    # A stored end at the calendar's edge (year 1 or 9999) has no Dutch local time at all:
    # no delivery period, so no EREs (and never a page that fails on it).
    ended = {
        s.id: s.ended_at
        for s in sessions
        if s.ended_at is not None and _delivery_year(s.ended_at) is not None
    }
    found: dict[int, SessionEre] = {}
    for session_id, kwh in store.credits.registrations(list(ended)).items():
        year = ended[session_id].astimezone(DUTCH_ZONE).year
        found[session_id] = SessionEre(REGISTERED, _ere(kwh, year, parameters), None)
    rest = [sid for sid in ended if sid not in found]
    customers = store.credits.session_customers(rest)
    wanted: dict[int, dict[int, set[DeliveryPeriod]]] = defaultdict(lambda: defaultdict(set))
    for session_id in rest:
        if session_id not in customers:
            found[session_id] = SessionEre(HELD_BACK, None, ReasonCode.CHARGER_NOT_LINKED.value)
            continue
        quarter = quarter_of(ended[session_id])
        wanted[customers[session_id]][quarter.year].add(quarter)
    in_sql = rules_path(store) is RulesPath.SQL if wanted else True
    for customer, years in wanted.items():
        ids = set(rest)
        for quarters in years.values():
            verdicts = (
                _verdicts_in_sql(store, customer, quarters, now)
                if in_sql
                else _verdicts_streamed(store, quarters, now)
            )
            for session_id, (first_reason, net_kwh, year) in verdicts.items():
                if session_id in ids and session_id not in found:
                    found[session_id] = (
                        SessionEre(ESTIMATE, _ere(net_kwh, year, parameters), None)
                        if first_reason is None
                        else SessionEre(HELD_BACK, None, first_reason)
                    )
    return found


Verdicts = dict[int, tuple[str | None, Decimal, int]]  # id -> (first reason, net kWh, year)


def _verdicts_in_sql(
    store: EreStore, customer: int, quarters: set[DeliveryPeriod], now: datetime
) -> Verdicts:
    invalid = invalid_mandates(store, customer)
    found: Verdicts = {}
    for run in runs_of_quarters(sorted(quarters, key=lambda p: p.sort_key)):
        query = quarters_query(
            store, run, now=now, customer_id=customer, invalid_mandate_ids=invalid
        )
        for row in store.verdict_rows(query):
            net = micro_to_kwh(max(0, int(row["net_micro_kwh"])))
            found[int(row["session_id"])] = (row["first_reason"], net, run[0].year)
    return found


def _verdicts_streamed(store: EreStore, quarters: set[DeliveryPeriod], now: datetime) -> Verdicts:
    """The Python rules over each quarter (the fallback `rules_path` chooses)."""
    found: Verdicts = {}
    for quarter in quarters:
        for verdict, _ in stream_verdicts(store, quarter, now=now):
            first = verdict.failures[0].value if verdict.failures else None
            found[int(verdict.session_id)] = (first, verdict.net_energy_kwh, quarter.year)
    return found
