"""Formula injection through `chargebook wallbox sessions --csv` (issue 14): session ids,
currencies and problems come from the cloud as text; a hostile one cannot make a formula."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from chargebook.cli.wallbox_render import write_sessions_csv
from chargebook.domain.models import ChargerSource, ChargingSession, SessionRecord
from security.spreadsheets import AS_CSV_TEXT, INNER_PAYLOADS, PAYLOADS, csv_cells, live_csv_cells

START = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


def _record(index: int, text: str) -> SessionRecord:
    session = ChargingSession(
        source=ChargerSource.WALLBOX_CLOUD, external_id=text, charger_external_id="1",
        started_at=START + timedelta(days=index), ended_at=START + timedelta(days=index, hours=1),
        energy_kwh=Decimal("-0.5"), mid_energy_kwh=None, discharged_energy_kwh=Decimal(0),
        cost=Decimal("-1.25"), currency=text,
    )  # fmt: skip  # negative amounts, as a V2G session could report
    return SessionRecord(ChargerSource.WALLBOX_CLOUD, "1", text, {}, session)


def test_cloud_text_is_neutralised_and_numbers_stay_numbers() -> None:
    records = [_record(i, text) for i, text in enumerate(PAYLOADS + INNER_PAYLOADS)]
    records.append(SessionRecord(ChargerSource.WALLBOX_CLOUD, "1", "@id", {}, None, "-2+3"))
    out = io.StringIO()
    assert write_sessions_csv(records, out) == len(records)
    assert live_csv_cells(out.getvalue()) == []
    cells = csv_cells(out.getvalue())
    assert set(AS_CSV_TEXT.values()) | {"'@id", "'-2+3"} <= set(cells)
    assert cells.count("-0.5") == cells.count("-1.25") == len(PAYLOADS + INNER_PAYLOADS)
