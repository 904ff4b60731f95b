"""Metering per charger: detection for synced chargers, the operator's own records, and the
follow-ups for chargers that need an upgrade.

Detection (`chargebook.ere.assess_wallbox` / `assess_ocpp_boot`) only writes where nothing was
recorded yet or where the current construct was itself written by detection: what the operator
recorded (a SAP, a dedicated connection, a serial from the label) is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import MeteringKind
from chargebook.domain.ere_book import StoredConstruct, StoredFollowUp
from chargebook.domain.models import ChargerSource
from chargebook.domain.stored import StoredCharger
from chargebook.ere import (
    MeteringAssessment,
    MeteringVerdict,
    assess_ocpp_boot,
    assess_wallbox,
    validate_ean,
)
from chargebook.errors import ChargebookError

DETECTION = "detection"
OPERATOR = "operator"


class MeteringInputError(ChargebookError):
    """A construct was described incompletely (e.g. a SAP without its EAN)."""


@dataclass(frozen=True, slots=True)
class DetectionOutcome:
    charger: StoredCharger
    assessment: MeteringAssessment
    construct: StoredConstruct | None  # the current construct after detection
    recorded: bool  # a new construct was written now
    follow_ups_created: tuple[StoredFollowUp, ...]


def assess_charger(store: EreStore, charger: StoredCharger) -> MeteringAssessment:
    """Does this charger qualify for ERE: the one answer the wizard, the charger page, the CLI
    and detection give, from the charger as the book holds it (the sync and the wizard store
    it by the same path, MID serial included) and the sessions booked for it."""
    return _assess(store, charger, store.mid_session_counts())


def _assess(
    store: EreStore, charger: StoredCharger, counts: dict[int, tuple[int, int]]
) -> MeteringAssessment:
    """`assess_charger` with the MID session counts of every charger read once (detection
    over the whole book)."""
    if charger.charger.source is ChargerSource.OCPP:
        facts = store.ocpp_boot_facts(charger.id) or (None, None)
        return assess_ocpp_boot(
            meter_type=facts[0],
            meter_serial_number=facts[1],
            charge_point_model=charger.charger.model,
        )
    seen, with_mid = counts.get(charger.id, (0, 0))
    return assess_wallbox(charger.charger, sessions_seen=seen, sessions_with_mid_energy=with_mid)


def detect_metering(
    store: EreStore,
    *,
    now: datetime,
    since: datetime | None = None,
    charger_id: int | None = None,
) -> list[DetectionOutcome]:
    """Assess every charger in the book (or only `charger_id`) and record what detection found.

    A qualifying charger gets an `integrated_mid` construct with its MID serial from `since`
    (the operator's evidence of when it was installed) or from now; one that needs an upgrade
    gets a `none` construct and open follow-ups (upgrade quote, SAP guidance); unknown ones
    get nothing. Running it again changes nothing unless the facts changed.
    """
    counts = store.mid_session_counts()
    outcomes: list[DetectionOutcome] = []
    chargers = [store.chargers.get(charger_id)] if charger_id is not None else None
    for charger in chargers if chargers is not None else store.chargers.list():
        assessment = _assess(store, charger, counts)
        current = store.metering.current(charger.id)
        recorded = False
        created: list[StoredFollowUp] = []
        ours = current is None or current.recorded_by == DETECTION
        if assessment.verdict is not MeteringVerdict.UNKNOWN and ours:
            kind = assessment.suggested_kind
            serial = assessment.mid_serial if kind is MeteringKind.INTEGRATED_MID else None
            unchanged = (
                current is not None
                and current.construct.kind is kind
                and current.construct.mid_serial == serial
            )
            if not unchanged:
                start = now if current is not None or since is None else since
                current = store.metering.add_construct(
                    charger.id,
                    kind=kind,
                    valid_from=start,
                    mid_serial=serial,
                    explanation=assessment.explanation,
                    recorded_by=DETECTION,
                )
                recorded = True
        if assessment.verdict is MeteringVerdict.NEEDS_UPGRADE and ours:
            for follow_up in assessment.follow_ups:
                stored, new = store.metering.ensure_follow_up(
                    charger.id, follow_up.value, assessment.explanation
                )
                if new:
                    created.append(stored)
        outcomes.append(DetectionOutcome(charger, assessment, current, recorded, tuple(created)))
    return outcomes


def record_construct(
    store: EreStore,
    charger_id: int,
    *,
    kind: MeteringKind,
    valid_from: datetime,
    mid_serial: str | None = None,
    sap_ean: str | None = None,
    explanation: str,
) -> StoredConstruct:
    """Record a construct the operator established (e.g. a SAP was installed).

    Raises:
        MeteringInputError: `sap` without its EAN and meter serial, or `integrated_mid`
            without the serial.
        InvalidEanError: the SAP's EAN fails a check.
        NotFoundError: no such charger.
        ConflictError: `valid_from` is not after the charger's latest construct.
    """
    if kind is MeteringKind.SAP:
        if not (sap_ean and mid_serial):
            raise MeteringInputError("a SAP construct needs the SAP's EAN and its meter serial")
        sap_ean = validate_ean(sap_ean)
    if kind is MeteringKind.INTEGRATED_MID and not mid_serial:
        raise MeteringInputError("an integrated MID construct needs the MID meter's serial")
    stored = store.metering.add_construct(
        charger_id,
        kind=kind,
        valid_from=valid_from,
        mid_serial=mid_serial,
        sap_ean=sap_ean,
        explanation=explanation,
        recorded_by=OPERATOR,
    )
    store.audit.append(
        actor="ere",
        action="ere_metering.recorded",
        entity_type="charger",
        entity_id=charger_id,
        payload={"kind": kind.value, "valid_from": valid_from.isoformat(), "sap_ean": sap_ean},
    )
    return stored
