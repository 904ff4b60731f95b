"""Metering per charger: detection for synced chargers, the operator's own records, and the
follow-ups for chargers that need an upgrade.

Detection (`chargebook.ere.assess_wallbox` / `assess_ocpp_boot`) only writes where nothing was
recorded yet or where the current construct was itself written by detection: what the operator
recorded (a SAP, a dedicated connection, a serial from the label) is never overwritten.

When metering qualifies: a MID meter detection finds on a charger with no construct yet was
there all along, so its construct is marked `from_first_mid_session` and counts from the
charger's first MID-metered session, resolved when the rules run (both paths), so detection
before or after the backfill gives the same start. A meter that came later (an upgrade, a SAP)
counts from the date the owner or operator records with evidence (`record_construct`), which
replaces what detection wrote from that date on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import MeteringKind
from chargebook.domain.ere_book import StoredConstruct, StoredFollowUp
from chargebook.domain.models import ChargerSource
from chargebook.domain.stored import StoredCharger
from chargebook.ere import (
    MeteringAssessment,
    MeteringVerdict,
    assess_brand,
    assess_ocpp_boot,
    assess_wallbox,
    effective_constructs,
    validate_ean,
)
from chargebook.ere.service.metering_evidence import (
    MeteringEvidence,
    MeteringInputError,
    check_dated_record,
    store_evidence,
)

DETECTION = "detection"
OPERATOR = "operator"
OWNER = "owner"  # the charger's owner, on the charger page


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


def assess_chargers(
    store: EreStore, chargers: Iterable[StoredCharger]
) -> dict[int, MeteringAssessment]:
    """`assess_charger` for many chargers by book id (the MID session counts read once)."""
    counts = store.mid_session_counts()
    return {charger.id: _assess(store, charger, counts) for charger in chargers}


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
    if charger.charger.source is not ChargerSource.WALLBOX_CLOUD:  # Easee, Zaptec, Peblar
        return assess_brand(charger.charger, sessions_seen=seen, sessions_with_mid_energy=with_mid)
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
    (the operator's word on when it was installed) or, when it had no construct yet, from its
    first MID-metered session (marked `from_first_mid_session`: older sessions a later
    backfill brings move that start back when the rules run); one that needs an upgrade
    gets a `none` construct (the first one from its first session in the book) and open
    follow-ups (upgrade quote, SAP guidance); unknown ones
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
                all_along = current is None and since is None and serial is not None
                if all_along:
                    first = store.metering.first_mid_session_start(charger.id)
                    start = min(start, first) if first is not None else start
                elif current is None and since is None and kind is MeteringKind.NONE:
                    # A model without a MID meter never had one: its sessions so far fail
                    # for that reason ("no MID meter: upgrade or SAP"), not for a missing
                    # construct ("before the meter was installed").
                    first = store.metering.first_session_start(charger.id)
                    start = min(start, first) if first is not None else start
                current = store.metering.add_construct(
                    charger.id,
                    kind=kind,
                    valid_from=start,
                    mid_serial=serial,
                    explanation=assessment.explanation,
                    recorded_by=DETECTION,
                    from_first_mid_session=all_along,
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


def metering_history(store: EreStore, charger_id: int) -> list[StoredConstruct]:
    """A charger's constructs, oldest first, with the starts the rules apply (one marked
    `from_first_mid_session` from the charger's first MID-metered session): what the CLI,
    the operator console and the owner's page show."""
    stored = store.metering.list_constructs(charger_id=charger_id)
    marked = any(s.construct.from_first_mid_session for s in stored)
    first = store.metering.first_mid_session_start(charger_id) if marked else None
    applied = effective_constructs([s.construct for s in stored], first)
    return [replace(s, construct=c) for s, c in zip(stored, applied, strict=True)]


def record_construct(
    store: EreStore,
    charger_id: int,
    *,
    kind: MeteringKind,
    valid_from: datetime,
    mid_serial: str | None = None,
    sap_ean: str | None = None,
    explanation: str,
    evidence: MeteringEvidence,
    evidence_dir: Path | None = None,
    recorded_by: str = OPERATOR,
) -> StoredConstruct:
    """Record a construct the owner or operator established from `valid_from` (a MID
    charger installed or upgraded, a SAP), with the evidence for that date: the one path of
    the CLI, the web and the API. What detection wrote from that date on is replaced: the
    evidence knows the date, detection only the day it looked.

    Args:
        evidence: a reference and/or a file (at least one); the file is kept in
            `evidence_dir` (`metering_evidence.evidence_dir(data_dir)`).
        recorded_by: `OPERATOR` or `OWNER` (detection never overwrites either).

    Raises:
        MeteringInputError: `sap` without its EAN and meter serial, `integrated_mid`
            without the serial, no evidence, or a date in the future.
        InvalidEanError: the SAP's EAN fails a check.
        NotFoundError: no such charger.
        ConflictError: an operator's construct starts at or after `valid_from`, a session
            after it is registered already, or `valid_from` falls inside an earlier construct.
    """
    if kind is MeteringKind.SAP:
        if not (sap_ean and mid_serial):
            raise MeteringInputError("a SAP construct needs the SAP's EAN and its meter serial")
        sap_ean = validate_ean(sap_ean)
    if kind is MeteringKind.INTEGRATED_MID and not mid_serial:
        raise MeteringInputError("an integrated MID construct needs the MID meter's serial")
    check_dated_record(valid_from, store.clock.now(), evidence)
    store.chargers.get(charger_id)  # NotFoundError before anything is written
    removed = store.metering.supersede_detection(charger_id, valid_from, DETECTION)
    kept = store_evidence(evidence, evidence_dir)
    stored = store.metering.add_construct(
        charger_id,
        kind=kind,
        valid_from=valid_from,
        mid_serial=mid_serial,
        sap_ean=sap_ean,
        explanation=explanation,
        recorded_by=recorded_by,
        evidence_reference=kept.reference,
        evidence_file_name=kept.file_name,
        evidence_file_sha256=kept.file_sha256,
    )
    store.audit.append(
        actor="ere",
        action="ere_metering.recorded",
        entity_type="charger",
        entity_id=charger_id,
        payload={
            "recorded_by": recorded_by,
            "kind": kind.value,
            "valid_from": valid_from.isoformat(),
            "sap_ean": sap_ean,
            "evidence_reference": kept.reference,
            "evidence_file_sha256": kept.file_sha256,
            "replaced_detection_constructs": removed,
        },
    )
    return stored
