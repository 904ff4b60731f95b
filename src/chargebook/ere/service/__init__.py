"""The ERE book: services that compose the pure core (`chargebook.ere`) with the database's
repositories (`chargebook.db.ere.store.EreStore`). The caller owns the transaction:

    with database.transaction() as session:
        store = EreStore(session, clock)
        created = create_batch(store, DeliveryPeriod(2026, 1), parameters=..., now=clock.now())
"""

from chargebook.ere.service.batch_create import create_batch
from chargebook.ere.service.batch_draft import BatchCreated
from chargebook.ere.service.batch_finalize import (
    batch_manifest,
    discard_batch,
    finalize_batch,
    verify_batch,
)
from chargebook.ere.service.customers import set_customer_kind
from chargebook.ere.service.eligibility import EligibilityReport, eligibility_report
from chargebook.ere.service.errors import (
    BatchFinalizedError,
    BatchStateError,
    EreBookError,
    IntegrityCheckError,
    NothingToRegisterError,
)
from chargebook.ere.service.exports import BatchExport, export_batch
from chargebook.ere.service.metering import (
    DetectionOutcome,
    assess_charger,
    assess_chargers,
    detect_metering,
    metering_history,
    record_construct,
)
from chargebook.ere.service.metering_evidence import (
    EvidenceFile,
    MeteringEvidence,
    MeteringInputError,
    evidence_dir,
)
from chargebook.ere.service.sap_import import SapImport, import_sap_readings
from chargebook.ere.service.setup import (
    MandateAdded,
    add_connection,
    add_mandate,
    link_charger,
    set_price,
)
from chargebook.ere.service.statements import generate_statements, mark_paid, write_statements_csv

__all__ = [
    "BatchCreated",
    "BatchExport",
    "BatchFinalizedError",
    "BatchStateError",
    "DetectionOutcome",
    "EligibilityReport",
    "EreBookError",
    "EvidenceFile",
    "IntegrityCheckError",
    "MandateAdded",
    "MeteringEvidence",
    "MeteringInputError",
    "NothingToRegisterError",
    "SapImport",
    "add_connection",
    "add_mandate",
    "assess_charger",
    "assess_chargers",
    "batch_manifest",
    "create_batch",
    "detect_metering",
    "discard_batch",
    "eligibility_report",
    "evidence_dir",
    "export_batch",
    "finalize_batch",
    "generate_statements",
    "import_sap_readings",
    "link_charger",
    "mark_paid",
    "metering_history",
    "record_construct",
    "set_customer_kind",
    "set_price",
    "verify_batch",
    "write_statements_csv",
]
