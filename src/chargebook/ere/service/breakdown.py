"""Why a quarter earns what it earns: an owner's sessions and kWh per outcome (eligible, held
back, registered, paid) and, for the held back ones, per reason code with the fix in plain
words (`chargebook.ere.reasons.owner_reason`: the one place the texts live).

Built from what the credits page reads anyway (the grouped verdicts of `credits.py`, SQL or
Python path) plus two grouped reads: registered sessions by payout state, and sessions on
chargers that no connection links (the rules never see those). Registered and paid come from
the registrations (the kWh as registered), not from the rules, so a quarter whose booking
deadline passed still shows its registered sessions as registered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from chargebook.db.ere.credits import SessionCount
from chargebook.ere.reasons import ReasonCode, owner_reason

ALREADY_REGISTERED = ReasonCode.ALREADY_REGISTERED.value
MICRO = Decimal(1_000_000)


class Outcome(StrEnum):
    ELIGIBLE = "eligible"  # passes every rule, not registered yet
    HELD_BACK = "held_back"  # fails a rule (see the reasons)
    REGISTERED = "registered"  # in a registration batch, not paid out yet
    PAID = "paid"  # its statement's payout was transferred


OUTCOME_LABELS = {
    Outcome.ELIGIBLE: "eligible",
    Outcome.HELD_BACK: "held back",
    Outcome.REGISTERED: "registered",
    Outcome.PAID: "paid",
}


@dataclass(frozen=True, slots=True)
class OutcomeCount:
    outcome: Outcome
    sessions: int
    energy_kwh: Decimal

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


@dataclass(frozen=True, slots=True)
class HeldBack:
    """Sessions held back for one reason (their first failing rule)."""

    code: str
    sessions: int
    energy_kwh: Decimal
    why: str  # "before the MID meter was installed or recorded"
    fix: str  # "no mandate for 2026 — sign one"
    action: str | None  # sign_mandate | metering | operator | None (see `OwnerReason`)
    # Later rules some of these sessions fail as well (fixing the first is not enough):
    # what they would be held back for next, most sessions first.
    also: tuple[HeldBack, ...] = ()

    @property
    def text(self) -> str:
        """ "12 sessions before the MID meter was installed or recorded"."""
        noun = "session" if self.sessions == 1 else "sessions"
        return f"{self.sessions} {noun} {self.why}"


@dataclass(frozen=True, slots=True)
class QuarterBreakdown:
    outcomes: tuple[OutcomeCount, ...]  # every outcome, in `Outcome` order
    reasons: tuple[HeldBack, ...]  # most sessions first

    def of(self, outcome: Outcome) -> OutcomeCount:
        return next(o for o in self.outcomes if o.outcome is outcome)

    @property
    def sessions(self) -> int:
        return sum(o.sessions for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class Judged:
    """Sessions sharing a verdict: a group of the SQL summary or one streamed verdict."""

    failures: tuple[str, ...]  # reason codes in rule order; empty = eligible
    sessions: int
    net_micro_kwh: int


def breakdown(
    year: int,
    judged: Iterable[Judged],
    registered: dict[bool, SessionCount],
    unlinked: SessionCount,
) -> QuarterBreakdown:
    """A quarter's outcomes and reasons from its verdicts (`judged`), its registered sessions
    by paid (`registered`, {paid: count}) and the sessions on unlinked chargers."""
    eligible_sessions, eligible_micro = 0, 0
    held: dict[str, list[int]] = {}
    also: dict[str, dict[str, list[int]]] = {}
    for group in judged:
        if ALREADY_REGISTERED in group.failures:
            continue  # counted from the registrations
        if not group.failures:
            eligible_sessions += group.sessions
            eligible_micro += max(0, group.net_micro_kwh)
            continue
        first, *later = group.failures
        for code, into in ((first, held), *((c, also.setdefault(first, {})) for c in later)):
            counts = into.setdefault(code, [0, 0])
            counts[0] += group.sessions
            counts[1] += max(0, group.net_micro_kwh)
    reasons = [
        _held_back(
            code,
            sessions,
            _kwh(micro),
            year,
            _sorted([_held_back(c, n, _kwh(m), year) for c, (n, m) in also.get(code, {}).items()]),
        )
        for code, (sessions, micro) in held.items()
    ]
    if unlinked.sessions:
        reasons.append(
            _held_back(
                ReasonCode.CHARGER_NOT_LINKED.value, unlinked.sessions, unlinked.energy_kwh, year
            )
        )
    reasons = _sorted(reasons)
    none = SessionCount(0, Decimal(0))
    paid, unpaid = registered.get(True, none), registered.get(False, none)
    outcomes = (
        OutcomeCount(Outcome.ELIGIBLE, eligible_sessions, _kwh(eligible_micro)),
        OutcomeCount(
            Outcome.HELD_BACK,
            sum(r.sessions for r in reasons),
            sum((r.energy_kwh for r in reasons), Decimal(0)),
        ),
        OutcomeCount(Outcome.REGISTERED, unpaid.sessions, unpaid.energy_kwh),
        OutcomeCount(Outcome.PAID, paid.sessions, paid.energy_kwh),
    )
    return QuarterBreakdown(outcomes=outcomes, reasons=tuple(reasons))


def _held_back(
    code: str, sessions: int, energy_kwh: Decimal, year: int, also: list[HeldBack] | None = None
) -> HeldBack:
    why, fix, action = owner_reason(code, year)
    return HeldBack(code, sessions, energy_kwh, why, fix, action, tuple(also or ()))


def _sorted(reasons: list[HeldBack]) -> list[HeldBack]:
    """Most sessions first, then by code (a stable order for pages and tests)."""
    return sorted(reasons, key=lambda r: (-r.sessions, r.code))


def _kwh(micro_kwh: int) -> Decimal:
    """Exact micro-kWh as kWh without trailing zeros (10, 10.5)."""
    kwh = (Decimal(micro_kwh) / MICRO).normalize()
    exponent = kwh.as_tuple().exponent
    return kwh.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else kwh


EMPTY = QuarterBreakdown(
    outcomes=tuple(OutcomeCount(o, 0, Decimal(0)) for o in Outcome), reasons=()
)
