"""The signed mandate as a document: recorded when it is signed, drawn once, kept.

Signing (`setup.add_mandate`, every door) records a snapshot: the text version and the exact
words agreed to, the typed name, the date typed and the moment recorded, the consents, EAN,
address, years, end date and the service provider. The PDF is drawn from that snapshot alone
(`mandate_pdf.render_mandate_pdf`, no creation time) the first time anyone asks for it and
stored with its SHA-256; every later download returns those bytes. A mandate signed before
documents were recorded gets its snapshot on the first request, marked as drawn after signing
(the PDF says so).

Owners get only their own mandates (`owner_mandate_pdf`: another's is "not found").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from chargebook.db.ere.mandate_documents import StoredMandateDocument
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import StoredMandate
from chargebook.ere.mandate_text import CURRENT_VERSION, agreed_paragraphs
from chargebook.ere.manifest import canonical_json
from chargebook.ere.service.mandate_pdf import render_mandate_pdf
from chargebook.errors import NotFoundError

OPERATOR_NAME = "chargebook"


@dataclass(frozen=True, slots=True)
class MandatePdf:
    mandate_id: int
    filename: str
    data: bytes
    sha256: str


def _snapshot(store: EreStore, stored: StoredMandate, *, at_signing: bool) -> dict[str, Any]:
    m = stored.mandate
    connection = store.connections.get(stored.connection_id)
    address = connection.connection.address
    return {
        "mandate_id": stored.id,
        "text_version": CURRENT_VERSION,
        "paragraphs": list(
            agreed_paragraphs(
                CURRENT_VERSION,
                operator=OPERATOR_NAME,
                first_year=m.first_year,
                last_year=m.last_year,
            )
        ),
        "operator": {"name": OPERATOR_NAME, "service_provider_id": m.service_provider_id},
        "signed_by_name": m.signed_by_name,
        "signed_on": m.signed_on.isoformat(),
        "recorded_at": store.clock.now().isoformat(),
        "recorded_at_signing": at_signing,
        "consent_grid_operator_data": m.consent_grid_operator_data,
        "consent_verifier_visit": m.consent_verifier_visit,
        "ean": m.ean,
        "connected_party_name": connection.connection.connected_party_name,
        "customer_email": connection.customer_email,
        "address": {
            "street": address.street,
            "house_number": address.house_number,
            "postal_code": address.postal_code,
            "city": address.city,
            "country_code": address.country_code,
        },
        "first_year": m.first_year,
        "last_year": m.last_year,
        "ends_on": date(m.last_year, 12, 31).isoformat(),
    }


def record_mandate_document(
    store: EreStore, stored: StoredMandate, *, at_signing: bool = True
) -> StoredMandateDocument:
    """Record what `stored` was signed with (the text version and every field shown).

    Raises:
        ConflictError: the mandate has its document already.
    """
    snapshot = canonical_json(_snapshot(store, stored, at_signing=at_signing))
    return store.mandate_documents.add(
        stored.id,
        text_version=CURRENT_VERSION,
        snapshot=snapshot,
        snapshot_sha256=hashlib.sha256(snapshot.encode("utf-8")).hexdigest(),
        recorded_at_signing=at_signing,
    )


def mandate_pdf(store: EreStore, mandate_id: int) -> MandatePdf:
    """The mandate's PDF: the stored bytes, drawn and stored first if need be (operator).

    Raises:
        NotFoundError: no such mandate.
    """
    stored = store.mandates.get(mandate_id)
    document = store.mandate_documents.get(mandate_id)
    if document is None:
        document = record_mandate_document(store, stored, at_signing=False)
    if document.pdf is None or document.pdf_sha256 is None:
        data = render_mandate_pdf(json.loads(document.snapshot))
        digest = hashlib.sha256(data).hexdigest()
        document = store.mandate_documents.store_pdf(mandate_id, data, digest)
        store.audit.append(
            actor="ere",
            action="ere_mandate.document_stored",
            entity_type="ere_mandate",
            entity_id=mandate_id,
            payload={"pdf_sha256": digest, "snapshot_sha256": document.snapshot_sha256},
        )
    assert document.pdf is not None
    assert document.pdf_sha256 is not None
    name = f"chargebook-mandate-{mandate_id}-{stored.mandate.ean}.pdf"
    return MandatePdf(mandate_id, name, document.pdf, document.pdf_sha256)


def owner_mandate_pdf(store: EreStore, mandate_id: int, user_id: int | None) -> MandatePdf:
    """`mandate_pdf` for its customer only (`user_id`; None: an operator, who reads every
    mandate, as with statements): any other user gets NotFoundError (a 404).

    Raises:
        NotFoundError: no such mandate, or not this user's.
    """
    if user_id is None:
        return mandate_pdf(store, mandate_id)
    try:
        stored = store.mandates.get(mandate_id)
    except NotFoundError:
        stored = None
    if stored is None or stored.mandate.customer_id != str(user_id):
        raise NotFoundError(f"no mandate with id {mandate_id}")
    return mandate_pdf(store, mandate_id)
