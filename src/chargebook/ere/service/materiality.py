"""The 2 % materiality check of a finalized batch, before its evidence pack is sent.

What the verifier can cross-check from the pack (ere-rules.md §6: it samples sessions and
meters and uses 2 % quantitative materiality), compared here first:

- a line's booked kWh against the sum of its registered sessions (`integrated_mid`), or the
  sessions' kWh against the SAP / dedicated meter's register delta it books (`sap`,
  `dedicated_connection`);
- the registered kWh of the sessions carrying MID register readings against those readings
  (`meter_stop_wh - meter_start_wh`), per line;
- the batch total against the sum of its lines.

Each comparison is `chargebook.ere.materiality.check_figure`; above 2 % it blocks the year-end.
"""

from __future__ import annotations

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import MeteringKind
from chargebook.ere.materiality import MaterialityCheck, check_figure

# The audit action `export_batch` appends: the year-end's "evidence packs built" reads it.
EVIDENCE_BUILT = "ere_batch.evidence_built"


def checks_document(checks: list[MaterialityCheck]) -> list[dict[str, object]]:
    """The checks as JSON-ready records (the export's `.materiality.json`)."""
    return [
        {
            "line_id": c.line_id,
            "ean": c.ean,
            "what": c.what,
            "booked_kwh": str(c.booked_kwh),
            "reference_kwh": str(c.reference_kwh),
            "deviation": None if c.deviation is None else str(c.deviation),
            "tolerance": str(c.tolerance),
            "blocking": c.blocking,
        }
        for c in checks
    ]


def batch_materiality(store: EreStore, batch_id: int) -> list[MaterialityCheck]:
    """Every comparison of the batch, blocking ones flagged (`blocking`).

    Raises:
        NotFoundError: no such batch.
    """
    batch = store.batches.get(batch_id)
    lines = store.batches.lines(batch_id)
    sums = {s.line_id: s for s in store.line_sums(batch_id)}
    checks: list[MaterialityCheck] = []
    for line in lines:
        line_sums = sums.get(line.id)
        if line.metering_kind is MeteringKind.INTEGRATED_MID:
            checks.append(
                check_figure(
                    batch_id=batch_id,
                    line_id=line.id,
                    ean=line.ean,
                    what="line kWh vs its registered sessions",
                    booked_kwh=line.energy_kwh,
                    reference_kwh=line_sums.registered_kwh if line_sums else line.energy_kwh * 0,
                )
            )
        else:
            checks.append(
                check_figure(
                    batch_id=batch_id,
                    line_id=line.id,
                    ean=line.ean,
                    what=f"sessions' kWh vs the {line.metering_kind.value} meter",
                    booked_kwh=line.sessions_energy_kwh,
                    reference_kwh=line.energy_kwh,
                )
            )
        if line_sums is not None and line_sums.with_readings:
            checks.append(
                check_figure(
                    batch_id=batch_id,
                    line_id=line.id,
                    ean=line.ean,
                    what=(
                        f"registered kWh vs MID register readings ({line_sums.with_readings} "
                        f"of {line_sums.sessions} sessions)"
                    ),
                    booked_kwh=line_sums.registered_with_readings_kwh,
                    reference_kwh=line_sums.register_delta_kwh,
                )
            )
    checks.append(
        check_figure(
            batch_id=batch_id,
            line_id=None,
            ean=None,
            what="batch total vs the sum of its lines",
            booked_kwh=batch.total_energy_kwh,
            reference_kwh=sum((line.energy_kwh for line in lines), batch.total_energy_kwh * 0),
        )
    )
    return checks
