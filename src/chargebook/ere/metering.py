"""Decide whether a charger's metering qualifies for ERE, and which construct applies when.

Two inputs feed the same decision: the Wallbox Cloud API's MID fields (`mid_enabled`,
`mid_serial_number`, `mid_status`, session `mid_energy`) and OCPP BootNotification's
`meterType`/`meterSerialNumber`. A charger qualifies only with a built-in MID meter that is
identified by a serial; otherwise it needs an upgrade (quote for a MID charger, or a SAP), or
the facts are not enough to tell (unknown).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from chargebook.domain.ere import MeteringConstruct, MeteringKind
from chargebook.domain.models import Charger, ChargingSession
from chargebook.ere.catalog import MODEL_CATALOG, CatalogEntry, MidCapability, lookup_model


class MeteringVerdict(StrEnum):
    QUALIFYING = "qualifying"
    NEEDS_UPGRADE = "needs_upgrade"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """The verdict in the words every door shows (the owner's charger page, the wizard,
        the operator's console and the CLI): one name per verdict (issue 18)."""
        return _VERDICT_LABELS[self]


_VERDICT_LABELS = {
    MeteringVerdict.QUALIFYING: "qualifies",
    MeteringVerdict.NEEDS_UPGRADE: "needs upgrade",
    MeteringVerdict.UNKNOWN: "to be checked",
}


class FollowUp(StrEnum):
    """What the operator can offer an owner whose charger does not qualify."""

    UPGRADE_QUOTE = "upgrade_quote"  # request a quote for a charger with a built-in MID meter
    SAP_GUIDANCE = "sap_guidance"  # guidance to have a secondary allocation point installed


NEEDS_UPGRADE_FOLLOW_UPS = (FollowUp.UPGRADE_QUOTE, FollowUp.SAP_GUIDANCE)


@dataclass(frozen=True, slots=True)
class MeteringAssessment:
    """The verdict on a charger's own metering, with a sentence a person can read."""

    verdict: MeteringVerdict
    explanation: str
    model_name: str | None = None
    mid_serial: str | None = None
    follow_ups: tuple[FollowUp, ...] = ()

    @property
    def suggested_kind(self) -> MeteringKind:
        """The construct to record when the verdict is acted on."""
        if self.verdict is MeteringVerdict.QUALIFYING:
            return MeteringKind.INTEGRATED_MID
        return MeteringKind.NONE


def _needs_upgrade(explanation: str, model: str | None) -> MeteringAssessment:
    return MeteringAssessment(
        MeteringVerdict.NEEDS_UPGRADE, explanation, model, None, NEEDS_UPGRADE_FOLLOW_UPS
    )


def assess_wallbox(
    charger: Charger,
    *,
    sessions_seen: int = 0,
    sessions_with_mid_energy: int = 0,
    catalog: tuple[CatalogEntry, ...] = MODEL_CATALOG,
) -> MeteringAssessment:
    """Judge a Wallbox charger from its catalog entry and the API's MID fields.

    Args:
        charger: the charger as synced (its `mid` holds `mid_enabled`/`mid_serial_number`/
            `mid_status`).
        sessions_seen: how many of its sessions are in the book.
        sessions_with_mid_energy: how many of those carried `mid_energy > 0`.
        catalog: the model table.

    Returns:
        The assessment; never raises.
    """
    entry = lookup_model(charger.part_number, charger.model, catalog)
    model = entry.model_name if entry else None
    mid = charger.mid
    serial = mid.serial_number if mid.present else None
    if entry is not None and entry.has_mid is MidCapability.NO:
        extra = " (the API's MID fields are ignored for this model)" if mid.present else ""
        return _needs_upgrade(f"{entry.model_name} has no built-in MID meter{extra}.", model)
    if not mid.present:
        if entry is None:
            return MeteringAssessment(
                MeteringVerdict.UNKNOWN,
                f"Model {charger.part_number or charger.model!r} is not in the catalog and the "
                "API reports no MID meter; check the charger's label for a MID mark.",
            )
        if entry.has_mid is MidCapability.YES:
            return MeteringAssessment(
                MeteringVerdict.UNKNOWN,
                f"{entry.model_name} carries a MID meter, but its serial is not known; "
                "record the serial from the meter's label.",
                model,
            )
        reason = "no serial number" if mid.enabled else "no MID meter"
        return _needs_upgrade(f"{entry.model_name}: the API reports {reason}.", model)
    if sessions_seen > 0 and sessions_with_mid_energy == 0:
        return MeteringAssessment(
            MeteringVerdict.UNKNOWN,
            f"The API reports MID meter {serial}, but none of {sessions_seen} sessions "
            "carried MID energy; check the meter before registering.",
            model,
            serial,
        )
    name = model or f"model {charger.part_number or charger.model!r} (not in the catalog)"
    return MeteringAssessment(
        MeteringVerdict.QUALIFYING,
        f"{name} reports a built-in MID meter, serial {serial}.",
        model,
        serial,
    )


def assess_ocpp_boot(
    *,
    meter_type: str | None,
    meter_serial_number: str | None,
    charge_point_model: str | None = None,
    catalog: tuple[CatalogEntry, ...] = MODEL_CATALOG,
) -> MeteringAssessment:
    """Judge an OCPP 1.6 charger from its BootNotification.

    `meterType` "Internal NON compliant" (a Pulsar Plus) means no MID meter; a meter type that
    names MID or EN 50470 plus a `meterSerialNumber` qualifies; anything else is unknown.
    A catalog model without MID (by the truncated part number in `chargePointModel`) never
    qualifies.

    Returns:
        The assessment; never raises.
    """
    entry = lookup_model(charge_point_model, charge_point_model, catalog)
    model = entry.model_name if entry else None
    text = (meter_type or "").strip().lower()
    serial = (meter_serial_number or "").strip() or None
    if "non compliant" in text or "non-compliant" in text:
        return _needs_upgrade(
            f"The charger reports meter type {meter_type!r}: no MID meter.", model
        )
    if entry is not None and entry.has_mid is MidCapability.NO:
        return _needs_upgrade(f"{entry.model_name} has no built-in MID meter.", model)
    if ("mid" in text or "50470" in text) and serial:
        return MeteringAssessment(
            MeteringVerdict.QUALIFYING,
            f"The charger reports a MID meter ({meter_type}), serial {serial}.",
            model,
            serial,
        )
    missing = "no meter serial number" if text else "no meter type"
    return MeteringAssessment(
        MeteringVerdict.UNKNOWN,
        f"BootNotification gives {missing}; confirm the MID meter by its label.",
        model,
    )


# What resolves a brand charger whose MID meter its API cannot prove (issue 19).
MID_PROOF_FOLLOW_UP = (
    "send the operator a photo of the charger's type plate with its MID mark (or the meter's "
    "certificate); the operator records the MID meter with that evidence"
)


def assess_brand(
    charger: Charger,
    *,
    sessions_seen: int = 0,
    sessions_with_mid_energy: int = 0,
    catalog: tuple[CatalogEntry, ...] = MODEL_CATALOG,
) -> MeteringAssessment:
    """Judge an Easee, Zaptec or Peblar charger (issue 19) from its catalog entry (by model
    name, part number or serial prefix) and the MID meter its connector says the API proves.

    It qualifies only when the API reports a MID meter with a serial for this charger (and,
    once sessions are booked, some carried MID energy); a model without one needs an upgrade;
    anything else is unknown, with what resolves it (`MID_PROOF_FOLLOW_UP`): never silently
    qualifying. Never raises.
    """
    entry = lookup_model(charger.part_number, charger.model, catalog) or lookup_model(
        charger.serial_number, None, catalog
    )
    model = entry.model_name if entry else None
    if entry is not None and entry.has_mid is MidCapability.NO:
        return _needs_upgrade(f"{entry.model_name} has no built-in MID meter.", model)
    mid = charger.mid
    if mid.present:
        serial = mid.serial_number
        if sessions_seen > 0 and sessions_with_mid_energy == 0:
            return MeteringAssessment(
                MeteringVerdict.UNKNOWN,
                f"The API reports MID meter {serial}, but none of {sessions_seen} sessions "
                "carried MID energy; check the meter before registering.",
                model,
                serial,
            )
        name = model or f"model {charger.model!r} (not in the catalog)"
        return MeteringAssessment(
            MeteringVerdict.QUALIFYING,
            f"{name} reports a built-in MID meter, serial {serial}.",
            model,
            serial,
        )
    if entry is None:
        reason = f"Model {charger.model!r} is not in the catalog and the API reports no MID meter"
    elif entry.has_mid is MidCapability.YES:
        reason = (
            f"{entry.model_name} carries a MID meter by its maker, but the API did not report "
            "one (with its serial) for this charger"
        )
    else:
        reason = f"{entry.model_name}: the API cannot tell whether this charger has a MID meter"
    return MeteringAssessment(
        MeteringVerdict.UNKNOWN, f"{reason}; to resolve it, {MID_PROOF_FOLLOW_UP}.", model
    )


def construct_for(
    constructs: Sequence[MeteringConstruct], start: datetime, end: datetime
) -> MeteringConstruct | None:
    """The construct whose validity covers the whole interval [start, end), if any.

    A session that straddles a change of construct is covered by neither and so is not
    eligible: the meter that measured it is ambiguous.
    """
    for construct in constructs:
        if construct.covers(start, end):
            return construct
    return None


def registration_start(constructs: Iterable[MeteringConstruct]) -> datetime | None:
    """The earliest moment a qualifying construct is in place; earlier sessions are ineligible."""
    starts = [c.valid_from for c in constructs if c.qualifies]
    return min(starts) if starts else None


def is_mid_metered(session: ChargingSession) -> bool:
    """Whether a session carries a MID quantity: MID energy > 0, or a register that moved
    (an OCPP charger's meter). The first such session of a charger whose MID meter was there
    all along is where its qualifying construct starts (`effective_constructs`); the SQL path
    says the same in `chargebook.db.ere.metering.mid_metered`."""
    if session.mid_energy_kwh is not None and session.mid_energy_kwh > 0:
        return True
    start, stop = session.meter_start_wh, session.meter_stop_wh
    return start is not None and stop is not None and stop > start


def effective_constructs(
    constructs: Sequence[MeteringConstruct], first_mid_session_start: datetime | None
) -> tuple[MeteringConstruct, ...]:
    """The constructs as the rules apply them: one marked `from_first_mid_session` (a MID
    meter that was there all along, found by detection) starts at the charger's first
    MID-metered session when that is earlier than its recorded start.

    Deriving the start here, when the rules run, rather than when detection wrote it makes
    the answer independent of order: detection before the backfill brought the older
    sessions gives the same start as detection after it. Only a charger's first construct is
    ever marked, so moving it earlier cannot overlap another.
    """
    if first_mid_session_start is None:
        return tuple(constructs)
    return tuple(
        replace(c, valid_from=first_mid_session_start)
        if c.from_first_mid_session and first_mid_session_start < c.valid_from
        else c
        for c in constructs
    )
