"""Why a session is not eligible: stable codes (stored, shown in APIs) plus a sentence each.

The codes are listed in the order the rules run; `chargebook.ere.eligibility` reports the first
failure and all failures in this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReasonCode(StrEnum):
    # 1. mandate for the delivery year
    CHARGER_NOT_LINKED = "charger_not_linked"
    NO_MANDATE = "no_mandate"
    MANDATE_INVALID = "mandate_invalid"
    # 2. qualifying metering at the session's time
    NO_METERING_CONSTRUCT = "no_metering_construct"
    METERING_NOT_QUALIFYING = "metering_not_qualifying"
    EXTERNAL_METER_PRIVATE_CUSTOMER = "external_meter_private_customer"
    NO_MID_QUANTITY = "no_mid_quantity"
    # 3. session sanity
    ENERGY_NOT_POSITIVE = "energy_not_positive"
    END_NOT_AFTER_START = "end_not_after_start"
    ENERGY_EXCEEDS_MAX_POWER = "energy_exceeds_max_power"
    OVERLAPS_OTHER_SESSION = "overlaps_other_session"
    # 4. energy fed back (V2G) deducted
    NET_ENERGY_NOT_POSITIVE = "net_energy_not_positive"
    # 5. delivery year still open
    DELIVERY_YEAR_CLOSED = "delivery_year_closed"
    # 6. not registered before
    ALREADY_REGISTERED = "already_registered"


REASON_MESSAGES: dict[ReasonCode, str] = {
    ReasonCode.CHARGER_NOT_LINKED: "the charger is not linked to a customer's grid connection",
    ReasonCode.NO_MANDATE: "no mandate covers this connection's EAN for the delivery year",
    ReasonCode.MANDATE_INVALID: (
        "the mandate for the delivery year is incomplete (consents, signature or EAN)"
    ),
    ReasonCode.NO_METERING_CONSTRUCT: (
        "no metering construct covers the whole session (before ERE registration started, "
        "or the construct changed during the session)"
    ),
    ReasonCode.METERING_NOT_QUALIFYING: "the charger's metering does not qualify (no MID meter)",
    ReasonCode.EXTERNAL_METER_PRIVATE_CUSTOMER: (
        "a private customer's charging counts only when a MID meter built into the charger "
        "measured it, and this charger is measured by a separate meter (a SAP or the "
        "connection's meter); fix: install a charger with a built-in MID meter, or, if the "
        "connection belongs to a business, have the operator record the customer as business"
    ),
    ReasonCode.NO_MID_QUANTITY: (
        "the MID meter reported no energy and no register readings for this session"
    ),
    ReasonCode.ENERGY_NOT_POSITIVE: "the measured energy is zero or negative",
    ReasonCode.END_NOT_AFTER_START: "the session does not end after it starts",
    ReasonCode.ENERGY_EXCEEDS_MAX_POWER: (
        "the energy is more than the charger's maximum power over the session's duration"
    ),
    ReasonCode.OVERLAPS_OTHER_SESSION: "the session overlaps another session of the same charger",
    ReasonCode.NET_ENERGY_NOT_POSITIVE: (
        "after deducting the energy fed back to the grid (V2G) nothing is left"
    ),
    ReasonCode.DELIVERY_YEAR_CLOSED: "the booking deadline for the delivery year has passed",
    ReasonCode.ALREADY_REGISTERED: "the session was already registered in an earlier batch",
}


def describe(code: ReasonCode) -> str:
    """A sentence a person can read for `code`."""
    return REASON_MESSAGES[code]


# What an owner reads on the credits page and in `chargebook ere credits`: why sessions are
# held back ("12 sessions before the MID meter was installed") and the fix in plain words.
# `action` names where the fix is done; each door turns it into a link or a hint
# (sign_mandate: the connect wizard's mandate step; metering: upgrade quote or SAP guidance;
# operator: the operator (the fix says what the owner can give them); None: nothing to do).
@dataclass(frozen=True, slots=True)
class OwnerReason:
    held_back: str  # follows "N sessions": "before the MID meter was installed"
    fix: str  # may hold {year}
    action: str | None = None


OWNER_REASONS: dict[ReasonCode, OwnerReason] = {
    ReasonCode.CHARGER_NOT_LINKED: OwnerReason(
        "on a charger not connected to ERE",
        "connect the charger to your grid connection (EAN) and sign a mandate",
        "sign_mandate",
    ),
    ReasonCode.NO_MANDATE: OwnerReason(
        "without a mandate for {year}", "no mandate for {year} — sign one", "sign_mandate"
    ),
    ReasonCode.MANDATE_INVALID: OwnerReason(
        "under an incomplete mandate for {year}",
        "the mandate for {year} lacks a consent, signature or EAN — sign it again",
        "sign_mandate",
    ),
    ReasonCode.NO_METERING_CONSTRUCT: OwnerReason(
        "before the MID meter was installed or recorded",
        "only sessions measured by a recorded MID meter count; if the meter was there "
        "earlier, give the operator the date it was installed (with evidence)",
        "operator",
    ),
    ReasonCode.METERING_NOT_QUALIFYING: OwnerReason(
        "on a charger without a MID meter",
        "charger has no MID meter — upgrade or SAP",
        "metering",
    ),
    ReasonCode.NO_MID_QUANTITY: OwnerReason(
        "without a reading from the MID meter",
        "the MID meter reported no energy; check that the meter is enabled in the charger",
        "operator",
    ),
    ReasonCode.ENERGY_NOT_POSITIVE: OwnerReason(
        "with no energy measured", "nothing to do: no energy was charged", None
    ),
    ReasonCode.END_NOT_AFTER_START: OwnerReason(
        "with an end before their start",
        "the charger reported impossible times; the operator checks them",
        "operator",
    ),
    ReasonCode.ENERGY_EXCEEDS_MAX_POWER: OwnerReason(
        "with more energy than the charger can deliver",
        "the measured energy is implausible; the operator checks the charger's data",
        "operator",
    ),
    ReasonCode.OVERLAPS_OTHER_SESSION: OwnerReason(
        "overlapping another session",
        "two sessions of one charger overlap in time; the operator checks them",
        "operator",
    ),
    ReasonCode.NET_ENERGY_NOT_POSITIVE: OwnerReason(
        "that fed back as much as they charged (V2G)",
        "nothing to do: energy fed back to the grid is deducted",
        None,
    ),
    ReasonCode.DELIVERY_YEAR_CLOSED: OwnerReason(
        "after the booking deadline for {year}",
        "too late: {year} can no longer be booked",
        None,
    ),
    ReasonCode.ALREADY_REGISTERED: OwnerReason(
        "already registered", "nothing to do: these were registered earlier", None
    ),
}


def owner_reason(code: str, year: int) -> tuple[str, str, str | None]:
    """(held back: "before the MID meter was installed", fix, action) for `code` in a
    delivery `year`; a code without an owner text (a new rule) falls back to its sentence."""
    try:
        reason = OWNER_REASONS.get(ReasonCode(code))
    except ValueError:
        reason = None
    if reason is None:
        sentence = describe(ReasonCode(code)) if code in _CODES else code.replace("_", " ")
        return f"held back: {sentence}", "the operator can tell you more", "operator"
    return reason.held_back.format(year=year), reason.fix.format(year=year), reason.action


_CODES = frozenset(code.value for code in ReasonCode)
