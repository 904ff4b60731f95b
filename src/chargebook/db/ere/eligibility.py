"""Set-based ERE eligibility: the rules of `chargebook.ere.eligibility` as one SQL query.

`verdicts(...)` builds a subquery with one row per candidate session of a period (an ok
session of a linked charger ending in the period): its failure flags in rule order, the first
failure's reason code (NULL when eligible), the booking EAN, the local delivery month, the
metering kind and the net quantity in micro-kWh. The services aggregate it (`GROUP BY`) or
register it (`INSERT ... SELECT`) without any session row passing through Python; the pure
Python rules remain the reference (tests/ere_book/test_sql_equivalence.py holds them equal).

How each rule is expressed (and where Python decides, on a few rows only):
- mandate: `ere_mandate_years` (ean, delivery year) joined to the customer's mandate; whether
  that mandate is complete is `chargebook.ere.mandate_problems`, evaluated in Python per
  mandate (a handful of rows) and bound as a list of invalid mandate ids;
- metering: a join on the construct whose validity covers [started_at, ended_at), with the
  start as the rules apply it (`chargebook.db.ere.metering.effective_constructs`: from the
  charger's first MID-metered session when marked so). The repository keeps a charger's
  constructs disjoint; callers check that first (`constructs_are_disjoint`) and fall back to
  the Python path otherwise; a private customer's external meter (SAP, dedicated
  connection) fails;
- sanity: exact integer arithmetic in micro-kWh and microseconds on both backends (SQLite
  stores REAL kWh and text times); overlaps as `evaluate_sessions` streams them (by charger,
  started_at, id): on PostgreSQL two windows (the running maximum of earlier ends, the next
  start), on SQLite the equivalent overlapping pairs (`_overlapping`);
- the delivery month comes from UTC month bounds computed in Python (Dutch local time), the
  booking deadline and the year are constants of the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Numeric,
    Result,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    extract,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from chargebook.db.book.tables import ChargerRow, ChargingSessionRow
from chargebook.db.ere.metering import effective_constructs
from chargebook.db.ere.sql_settings import bulk_settings, one_customer_settings
from chargebook.db.ere.tables import (
    EreBatchSessionRow,
    EreChargerLinkRow,
    EreConnectionRow,
    EreMandateRow,
    EreMandateYearRow,
    EreMeteringConstructRow,
)

MICRO = 1_000_000
# Meters outside the charger (`MeteringKind.is_external`): not for a private customer.
_EXTERNAL = ("sap", "dedicated_connection")
# Reason codes in rule order (the values of `chargebook.ere.ReasonCode`; `charger_not_linked`
# cannot occur here: only sessions of linked chargers are candidates).
RULE_ORDER = (
    "no_mandate",
    "mandate_invalid",
    "no_metering_construct",
    "metering_not_qualifying",
    "external_meter_private_customer",
    "no_mid_quantity",
    "energy_not_positive",
    "end_not_after_start",
    "energy_exceeds_max_power",
    "overlaps_other_session",
    "net_energy_not_positive",
    "delivery_year_closed",
    "already_registered",
)


# The bound parameter holding one customer's linked charger ids (`VerdictQuery.charger_ids`).
CHARGER_IDS = "customer_charger_ids"


@dataclass(frozen=True, slots=True)
class VerdictQuery:
    """What the query needs besides the tables; all small and computed in Python.

    `month_starts` holds (UTC start, local month) of every month of the period, in order;
    the first start is the period's start. `slack` is the max-power slack (0.02 = 2 %).
    """

    year: int
    month_starts: Sequence[tuple[datetime, int]]
    ended_until: datetime  # the period's end (UTC, exclusive)
    scan_from: datetime  # sessions ending from here are read for the overlap check
    year_open: bool
    invalid_mandate_ids: Sequence[int]
    service_provider_id: str | None
    default_max_current_a: int
    slack: Decimal
    # Only the sessions of this customer's linked chargers (whole chargers, so the overlap
    # rule sees the same neighbours): the owner's credits page. None = every customer.
    customer_id: int | None = None
    # UTC starts of the period's later parts (e.g. the quarters after the first of a year):
    # the overlap rule then looks only within each part and the margin before it (the part's
    # start minus `month_starts[0][0] - scan_from`), exactly as if each part were queried on
    # its own, so several quarters cost one statement (the credits page). Empty: one part.
    part_starts: Sequence[datetime] = ()
    # `customer_id`'s linked chargers, looked up by `summarize` (`with_charger_ids`): as
    # constants PostgreSQL estimates the few thousand rows of `charger_id IN (...)` and reads
    # them through the index; behind a subquery it planned a parallel scan of the period.
    charger_ids: Sequence[int] | None = None


def _micro(column: Any) -> ColumnElement[Any]:
    """kWh -> exact integer micro-kWh (a SQLite REAL's value is the decimal written, <= 6
    places; PostgreSQL NUMERIC is exact)."""
    return cast(func.round(column * MICRO), BigInteger)


def _duration_us(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    """end - start in whole microseconds, exactly."""
    if dialect == "postgresql":
        return cast(extract("epoch", end - start) * MICRO, BigInteger)
    # SQLite: naive UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' (db.types); seconds + microseconds.
    # Whole seconds of the text without its fraction: SQLite's date functions keep
    # milliseconds and would round .999999 up into the next second. The julian days of two
    # whole-second times differ by a whole number of seconds; as doubles each is within
    # 1e-4 s, so rounding the difference is exact, and about twice as fast as two
    # strftime('%s') texts cast back to integers.
    days = func.julianday(func.substr(end, 1, 19)) - func.julianday(func.substr(start, 1, 19))
    seconds = cast(func.round(days * 86_400), BigInteger)
    micros = cast(func.substr(end, 21, 6), BigInteger) - cast(func.substr(start, 21, 6), BigInteger)
    return seconds * MICRO + micros


def _facts(query: VerdictQuery, dialect: str, *, with_sha: bool) -> Subquery:
    """Per candidate session (and the sessions of the overlap margin): the joined facts and
    the derived integers, each computed once, with the overlap columns."""
    cs = ChargingSessionRow
    link, conn, charger = EreChargerLinkRow, EreConnectionRow, ChargerRow
    years, mandate = EreMandateYearRow, EreMandateRow
    constructs = effective_constructs()
    construct = constructs.c
    registered = EreBatchSessionRow

    year_join = and_(years.ean == conn.ean, years.year == query.year)
    if query.service_provider_id is not None:
        year_join = and_(year_join, years.service_provider_id == query.service_provider_id)
    is_mid = construct.kind == "integrated_mid"
    has_delta = and_(cs.meter_start_wh.is_not(None), cs.meter_stop_wh.is_not(None))
    gross = case(
        (and_(is_mid, cs.mid_energy_kwh.is_not(None)), _micro(cs.mid_energy_kwh)),
        (and_(is_mid, has_delta), (cs.meter_stop_wh - cs.meter_start_wh) * 1000),
        else_=_micro(cs.energy_kwh),
    )
    discharged = _micro(func.coalesce(cs.discharged_energy_kwh, 0))
    booking_ean = case(
        (
            and_(construct.kind == "sap", construct.sap_ean.is_not(None), construct.sap_ean != ""),
            construct.sap_ean,
        ),
        else_=conn.ean,
    )
    statement = (
        select(
            cs.id.label("session_id"),
            cs.charger_id.label("charger_id"),
            cs.started_at.label("started_at"),
            cs.ended_at.label("ended_at"),
            *([cs.raw_sha256.label("raw_sha256")] if with_sha else []),
            conn.customer_user_id.label("customer_id"),
            cast(booking_ean, String).label("booking_ean"),
            construct.id.label("construct_id"),
            construct.kind.label("metering_kind"),
            case(
                (and_(construct.kind.in_(_EXTERNAL), conn.customer_kind == "private"), 1), else_=0
            ).label("external_private"),
            mandate.id.label("mandate_id"),
            gross.label("gross"),
            discharged.label("discharged"),
            _duration_us(dialect, cs.started_at, cs.ended_at).label("duration_us"),
            func.coalesce(func.nullif(charger.max_current_a, 0), query.default_max_current_a).label(
                "max_current_a"
            ),
            case((and_(is_mid, cs.mid_energy_kwh.is_(None), ~has_delta), 1), else_=0).label(
                "no_mid_quantity"
            ),
            case((registered.session_id.is_(None), 0), else_=1).label("registered"),
            *_overlap_columns(query, dialect),
        )
        .select_from(cs)
        .join(link, link.charger_id == cs.charger_id)
        .join(conn, conn.id == link.connection_id)
        .join(charger, charger.id == cs.charger_id)
        .outerjoin(years, year_join)
        .outerjoin(
            mandate,
            and_(mandate.id == years.mandate_id, mandate.customer_user_id == conn.customer_user_id),
        )
        .outerjoin(
            constructs,
            and_(
                construct.charger_id == cs.charger_id,
                construct.valid_from <= cs.started_at,
                or_(construct.valid_until.is_(None), cs.ended_at <= construct.valid_until),
            ),
        )
        .outerjoin(registered, registered.session_id == cs.id)
        .where(*_scanned(cs, query, dialect))
    )
    if dialect == "sqlite":
        # A LIMIT keeps SQLite from flattening this subquery into the next: flattened, every
        # use of `gross` or `duration_us` in the rules would recompute the expression (about
        # 3x the work); as a co-routine each column is computed once per session.
        statement = statement.limit(-1)
    return statement.subquery("facts")


def _scanned(
    cs: Any, query: VerdictQuery, dialect: str, *, bound: bool = True
) -> list[ColumnElement[bool]]:
    """The sessions the rules read: ok, ending in the period or its overlap margin.

    `bound=False` leaves out the `started_at` bound (the later side of an overlap pair,
    whose range `started_at < earlier.ended_at` already implies it)."""
    # `state` is 'ok' for nearly every row: on SQLite its index would make the scan a lookup
    # per row, so the comparison is kept away from the index there.
    state = cs.state.op("||")(literal("")) if dialect == "sqlite" else cs.state
    scanned = [state == "ok", cs.ended_at >= query.scan_from, cs.ended_at < query.ended_until]
    if query.customer_id is not None:
        # An exact bound for the (charger_id, started_at) range: an ok session has
        # started_at <= ended_at (CHECK ok_is_complete, both backends), so one ending before
        # the period's end started before it; a session whose end precedes its start cannot
        # be ok and is never a candidate. Without it each query read the charger's whole
        # history. (Not for the whole book: there the bound could pull the plan onto the
        # (started_at, id) index, a lookup per session instead of a scan.)
        if bound:
            scanned.append(cs.started_at < query.ended_until)
        # Through the (charger_id, started_at) index: one customer's few chargers.
        theirs = query.charger_ids
        scanned.append(
            cs.charger_id.in_(
                _linked_chargers(query.customer_id)
                if theirs is None
                # A parameter, so that one built statement serves every customer (`summarize`).
                else bindparam(CHARGER_IDS, value=list(theirs), expanding=True)
            )
        )
    return scanned


def _linked_chargers(customer_id: int) -> Select[Any]:
    """Ids of the chargers linked to the customer's connections."""
    return (
        select(EreChargerLinkRow.charger_id)
        .join(EreConnectionRow, EreConnectionRow.id == EreChargerLinkRow.connection_id)
        .where(EreConnectionRow.customer_user_id == customer_id)
    )


def with_charger_ids(session: Session, query: VerdictQuery) -> VerdictQuery:
    """`query` with its customer's linked charger ids filled in (one small lookup); a query
    for every customer is returned as it is."""
    if query.customer_id is None or query.charger_ids is not None:
        return query
    ids = session.scalars(_linked_chargers(query.customer_id)).all()
    return replace(query, charger_ids=sorted({int(i) for i in ids}))


def _overlap_columns(query: VerdictQuery, dialect: str) -> list[ColumnElement[Any]]:
    """PostgreSQL: `earlier_end` and `next_start` from two windows over (charger, start, id)
    (one sort, cheap there). SQLite: an `overlaps` 0/1 flag from `_overlapping` (its window
    functions cost about 2 us per row each; the pair search is a few times cheaper)."""
    cs = ChargingSessionRow
    if dialect == "postgresql" and not query.part_starts:
        order = (cs.started_at, cs.id)
        return [
            # `evaluate_sessions`: a session overlaps when it starts before any earlier
            # session of its charger ends, or when the next one starts before it ends.
            func.max(cs.ended_at)
            .over(partition_by=cs.charger_id, order_by=order, rows=(None, -1))
            .label("earlier_end"),
            func.lead(cs.started_at, type_=cs.started_at.type)
            .over(partition_by=cs.charger_id, order_by=order)
            .label("next_start"),
        ]
    # Several parts: the pairs on PostgreSQL too (one customer's sessions, a short index
    # range each), since a window cannot see a different set of neighbours per part.
    return [case((cs.id.in_(_overlapping(query, dialect)), 1), else_=0).label("overlaps")]


def _part_of(ended_at: Any, starts: Sequence[datetime]) -> ColumnElement[Any]:
    """The index of the part a session ending at `ended_at` belongs to: how many of the
    later parts' `starts` are at or before its end (0 for the first part and its margin)."""
    return sum((case((ended_at >= start, 1), else_=0) for start in starts), start=literal(0))


def _judged_with(flagged: Any, other: Any, query: VerdictQuery) -> ColumnElement[bool]:
    """Whether `other` is among the sessions `flagged`'s part reads: it ends in that part or
    in the margin before it. With `part(x)` as in `_part_of` and `margin(x)` the part whose
    margin or body holds x's end (x.ended_at + margin), `other` is read for part k when
    part(other) <= k <= margin(other), i.e. k is one of the two (margin < a part)."""
    starts = query.part_starts
    margin = query.month_starts[0][0] - query.scan_from
    part = _part_of(flagged.ended_at, starts)
    return or_(
        part == _part_of(other.ended_at, starts),
        part == _part_of(other.ended_at, [start - margin for start in starts]),
    )


def _overlapping(query: VerdictQuery, dialect: str) -> Select[Any]:
    """Ids of the scanned sessions that overlap another scanned session of their charger.

    `evaluate_sessions` (in (started_at, id) order per charger) flags a session that starts
    before any earlier session ends, and one whose next session starts before it ends. Both
    say the same of a pair: A before B in that order with B.started_at < A.ended_at flags A
    and B. The pairs are found from A through the (charger_id, started_at) index, a short
    range per session, instead of two window functions over a sort of every row.
    """
    a = aliased(ChargingSessionRow, name="overlap_a")
    b = aliased(ChargingSessionRow, name="overlap_b")
    pairs = (
        select(a.id.label("earlier_id"), b.id.label("later_id"))
        .select_from(a)
        .join(
            b,
            and_(
                b.charger_id == a.charger_id,
                b.started_at >= a.started_at,
                b.started_at < a.ended_at,
                or_(b.started_at > a.started_at, b.id > a.id),
            ),
        )
        # SQLite takes one upper bound for b's index range: with the period's end it would
        # read every later session of the charger for each a (quadratic), so b has none.
        .where(*_scanned(a, query, dialect), *_scanned(b, query, dialect, bound=False))
    )
    if not query.part_starts:
        found = pairs.cte("overlap_pairs", nesting=True)
        return select(found.c.earlier_id).union_all(select(found.c.later_id))  # type: ignore[return-value]
    # Per part: a pair flags a session only when the other one is read by its part.
    found = pairs.add_columns(
        _judged_with(a, b, query).label("earlier_flagged"),
        _judged_with(b, a, query).label("later_flagged"),
    ).cte("overlap_pairs", nesting=True)
    return (
        select(found.c.earlier_id)
        .where(found.c.earlier_flagged)
        .union_all(  # type: ignore[return-value]
            select(found.c.later_id).where(found.c.later_flagged)
        )
    )


def verdicts(query: VerdictQuery, dialect: str, *, with_sha: bool = False) -> Subquery:
    """One row per candidate session: `session_id`, `charger_id`, `customer_id`,
    `booking_ean`, `month`, `metering_kind`, `mandate_id`, `net_micro_kwh`, `raw_sha256`,
    a 0/1 column per reason code (`f_<code>`) and `first_reason` (NULL when eligible)."""
    f = _facts(query, dialect, with_sha=with_sha)
    period_start = query.month_starts[0][0]
    gross = f.c.gross
    discharged = case((f.c.discharged < 0, 0), else_=f.c.discharged)
    # gross x 3600 > max kW x (1 + slack) x seconds, in integers: max kW = A x 690 / 1000.
    slack_num, slack_den = (1 + query.slack).as_integer_ratio()
    # PostgreSQL's bigint would raise on overflow (a session of months); SQLite turns to REAL.
    wide = (lambda x: cast(x, Numeric(38, 0))) if dialect == "postgresql" else (lambda x: x)
    exceeds = and_(
        f.c.duration_us > 0,
        wide(gross) * (3600 * 1000 * slack_den)
        > wide(f.c.max_current_a) * (690 * slack_num) * wide(f.c.duration_us),
    )
    invalid = (
        f.c.mandate_id.in_(query.invalid_mandate_ids) if query.invalid_mandate_ids else false()
    )
    flags: dict[str, ColumnElement[Any]] = {
        "no_mandate": f.c.mandate_id.is_(None),
        "mandate_invalid": and_(f.c.mandate_id.is_not(None), invalid),
        "no_metering_construct": f.c.construct_id.is_(None),
        "metering_not_qualifying": f.c.metering_kind == "none",
        "external_meter_private_customer": f.c.external_private == 1,
        "no_mid_quantity": f.c.no_mid_quantity == 1,
        "energy_not_positive": gross <= 0,
        "end_not_after_start": f.c.duration_us <= 0,
        "energy_exceeds_max_power": exceeds,
        "overlaps_other_session": (
            or_(
                and_(f.c.earlier_end.is_not(None), f.c.started_at < f.c.earlier_end),
                and_(f.c.next_start.is_not(None), f.c.next_start < f.c.ended_at),
            )
            if dialect == "postgresql" and not query.part_starts
            else f.c.overlaps == 1
        ),
        "net_energy_not_positive": and_(gross > 0, gross - discharged <= 0),
        "delivery_year_closed": false() if query.year_open else true(),
        "already_registered": f.c.registered == 1,
    }
    # The local month of the end, from the months' UTC starts (latest first).
    month = case(
        *((f.c.ended_at >= start, number) for start, number in reversed(query.month_starts)),
        else_=query.month_starts[0][1],
    )
    first_reason = case(*((flag, literal(code)) for code, flag in flags.items()), else_=null())
    # Bit k set when rule k (RULE_ORDER) fails: one integer to group by instead of a sum per
    # rule; 0 means eligible.
    mask = sum(
        (case((flag, 1 << bit), else_=0) for bit, flag in enumerate(flags.values())),
        start=literal(0),
    )
    columns: list[ColumnElement[Any]] = [
        f.c.session_id,
        f.c.charger_id,
        f.c.customer_id,
        f.c.booking_ean,
        cast(month, Integer).label("month"),
        f.c.metering_kind,
        f.c.mandate_id,
        (gross - discharged).label("net_micro_kwh"),
        *([f.c.raw_sha256] if with_sha else []),
        first_reason.label("first_reason"),
        mask.label("failure_mask"),
    ]
    statement = select(*columns).where(f.c.ended_at >= period_start)
    return statement.subquery("verdicts")


def net_kwh(column: Any, dialect: str) -> ColumnElement[Any]:
    """micro-kWh integer -> kWh as the column stores it (REAL on SQLite: the division is
    correctly rounded, so it is the float of the exact decimal; NUMERIC on PostgreSQL)."""
    if dialect == "postgresql":
        return cast(column, Numeric(20, 0)) / MICRO
    real: ColumnElement[Any] = column / float(MICRO)
    return real


def summary_query(v: Subquery) -> Select[Any]:
    """Counts and exact kWh per (failure mask, customer, booking EAN, month, kind, mandate):
    few rows, from which the report and the batch lines are made."""
    keys = (
        v.c.failure_mask,
        v.c.customer_id,
        v.c.booking_ean,
        v.c.month,
        v.c.metering_kind,
        v.c.mandate_id,
    )
    return select(
        *keys,
        func.count().label("sessions"),
        func.sum(v.c.net_micro_kwh).label("net_micro_kwh"),
    ).group_by(*keys)


def failures_of(mask: int) -> tuple[str, ...]:
    """The reason codes of a failure mask, in rule order."""
    return tuple(code for bit, code in enumerate(RULE_ORDER) if mask >> bit & 1)


@dataclass(frozen=True, slots=True)
class VerdictGroup:
    """A row of `summary_query`: sessions sharing first reason, line key, month and kind."""

    first_reason: str | None
    customer_id: int
    booking_ean: str
    month: int
    metering_kind: str | None
    mandate_id: int | None
    sessions: int
    net_micro_kwh: int  # summed over the group's sessions (meaningful for eligible groups)
    failures: tuple[str, ...]  # every rule the group's sessions fail, in rule order


def groups_of(rows: Result[Any]) -> list[VerdictGroup]:
    """The rows of `summary_query` as groups."""
    groups = []
    for row in rows.mappings():
        failures = failures_of(int(row["failure_mask"]))
        groups.append(
            VerdictGroup(
                first_reason=failures[0] if failures else None,
                customer_id=int(row.customer_id),
                booking_ean=row.booking_ean,
                month=int(row.month),
                metering_kind=row.metering_kind,
                mandate_id=None if row.mandate_id is None else int(row.mandate_id),
                sessions=int(row.sessions),
                net_micro_kwh=int(row.net_micro_kwh or 0),
                failures=failures,
            )
        )
    return groups


def summarize(session: Session, query: VerdictQuery) -> list[VerdictGroup]:
    """Run the eligibility rules over the period in the database: one statement."""
    query = with_charger_ids(session, query)
    connection = session.connection()
    dialect = connection.dialect.name
    if query.charger_ids is None:
        statement, parameters = summary_query(verdicts(query, dialect)), {}
    else:
        statement = _customer_summary(_shared(query), dialect)
        parameters = {CHARGER_IDS: list(query.charger_ids)}
    settings = bulk_settings if query.customer_id is None else one_customer_settings
    with settings(connection):
        return groups_of(connection.execute(statement, parameters))


def _shared(query: VerdictQuery) -> VerdictQuery:
    """A customer's query without the customer (whose chargers are a parameter) and with
    tuples for lists: the key of the statements every customer's page shares."""
    return replace(
        query,
        customer_id=0,
        charger_ids=(),
        month_starts=tuple(query.month_starts),
        invalid_mandate_ids=tuple(query.invalid_mandate_ids),
        part_starts=tuple(query.part_starts),
    )


@lru_cache(maxsize=16)
def _customer_summary(query: VerdictQuery, dialect: str) -> Select[Any]:
    """`summary_query(verdicts(query))`, built once per period and day: building the
    expression took about 15 ms of Python per statement, as long as running it for one
    customer. SQLAlchemy statements are immutable, so threads may share them."""
    return summary_query(verdicts(query, dialect))


def failing_examples(
    session: Session, query: VerdictQuery, per_reason: int
) -> dict[str, list[int]]:
    """Up to `per_reason` ineligible session ids per first reason, lowest (charger, start, id)
    first."""
    dialect = session.get_bind().dialect.name
    v = verdicts(query, dialect)
    ranked = (
        select(
            v.c.first_reason,
            v.c.session_id,
            func.row_number()
            .over(partition_by=v.c.first_reason, order_by=(v.c.charger_id, v.c.session_id))
            .label("rank"),
        )
        .where(v.c.first_reason.is_not(None))
        .subquery("ranked")
    )
    with bulk_settings(session.connection()):
        rows = session.execute(
            select(ranked.c.first_reason, ranked.c.session_id)
            .where(ranked.c.rank <= per_reason)
            .order_by(ranked.c.first_reason, ranked.c.rank)
        )
    examples: dict[str, list[int]] = {}
    for reason, session_id in rows:
        examples.setdefault(reason, []).append(int(session_id))
    return examples


def verdict_rows(session: Session, query: VerdictQuery) -> list[dict[str, Any]]:
    """Every candidate's verdict row (for listings and tests; not for millions of rows)."""
    query = with_charger_ids(session, query)
    dialect = session.get_bind().dialect.name
    v = verdicts(query, dialect)
    return [dict(row) for row in session.execute(select(v).order_by(v.c.session_id)).mappings()]


def constructs_are_disjoint(session: Session) -> bool:
    """Whether no two constructs of a charger overlap in time (the repository's invariant,
    which the construct join relies on)."""
    a = EreMeteringConstructRow.__table__.alias("a")
    b = EreMeteringConstructRow.__table__.alias("b")
    clash = session.execute(
        select(a.c.id)
        .join(
            b,
            and_(
                a.c.charger_id == b.c.charger_id,
                a.c.id < b.c.id,
                or_(b.c.valid_until.is_(None), a.c.valid_from < b.c.valid_until),
                or_(a.c.valid_until.is_(None), b.c.valid_from < a.c.valid_until),
            ),
        )
        .limit(1)
    ).first()
    return clash is None
