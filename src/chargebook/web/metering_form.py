"""The metering-date form both web doors post (the owner's charger page, the operator's
metering page): the date, the serial, the evidence (a reference and/or an uploaded file),
turned into one `chargebook.ere.service.record_construct` call, as the CLI's
`ere metering set` makes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from fastapi import UploadFile

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import MeteringKind
from chargebook.ere import InvalidEanError
from chargebook.ere.periods import DUTCH_ZONE
from chargebook.ere.service import (
    EvidenceFile,
    MeteringEvidence,
    MeteringInputError,
    evidence_dir,
    record_construct,
)
from chargebook.ere.service.metering_evidence import MAX_EVIDENCE_BYTES
from chargebook.errors import ChargebookError
from chargebook.web.context import WebContext
from chargebook.web.errors import InvalidInputError, status_for


@dataclass(frozen=True, slots=True)
class MeteringForm:
    kind: str
    valid_from: str
    mid_serial: str = ""
    sap_ean: str = ""
    evidence: str = ""
    upload: UploadFile | None = None


def record_from_form(
    context: WebContext, charger_id: int, form: MeteringForm, *, recorded_by: str, by: str
) -> None:
    """Record the form's construct in its own transaction.

    Raises:
        ChargebookError: a bad field (`InvalidInputError`), no evidence or a future date
            (`MeteringInputError`), or what `record_construct` refuses.
    """
    try:
        kind = MeteringKind(form.kind)
    except ValueError:
        raise InvalidInputError("choose a metering kind", field="kind") from None
    try:
        day = date.fromisoformat(form.valid_from.strip())
        start = datetime.combine(day, time(0), tzinfo=DUTCH_ZONE).astimezone(UTC)
    except (ValueError, OverflowError):  # 0001-01-01 local is before datetime.min in UTC
        raise InvalidInputError("give the date as YYYY-MM-DD", field="valid_from") from None
    with context.database.transaction() as session:
        record_construct(
            EreStore(session, context.clock),
            charger_id,
            kind=kind,
            valid_from=start,
            mid_serial=form.mid_serial.strip() or None,
            sap_ean="".join(form.sap_ean.split()) or None,
            explanation=f"recorded by {by}",
            evidence=MeteringEvidence(form.evidence, _upload(form.upload)),
            evidence_dir=evidence_dir(context.settings.data_dir),
            recorded_by=recorded_by,
        )


def form_status(error: ChargebookError) -> int:
    """A value the rules refuse (no evidence, a future date, a bad EAN) is the form's fault:
    422, as `InvalidInputError`; anything else as everywhere."""
    if isinstance(error, MeteringInputError | InvalidEanError):
        return 422
    return status_for(error)


def _upload(upload: UploadFile | None) -> EvidenceFile | None:
    if upload is None or not upload.filename:
        return None
    content = upload.file.read(MAX_EVIDENCE_BYTES + 1)  # one byte over is enough to refuse
    return EvidenceFile(upload.filename, content)
