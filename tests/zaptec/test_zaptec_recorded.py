"""Real recorded Zaptec payloads (tests/zaptec/zaptec_recorded.py, sources named there) parse with
the right values: kWh energies, UTC times, OCMF begin/end registers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from zaptec_recorded import CHARGEHISTORY_PRO, CHARGERS_GO, COMPLETED_SESSION_GO, STATE_GO

from chargebook.domain.models import ChargerSource, ChargerState
from chargebook.zaptec import history, wire
from chargebook.zaptec.ocmf import parse_ocmf
from chargebook.zaptec.status import status_from
from chargebook.zaptec.times import parse_utc

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def test_a_recorded_history_page_is_one_page_of_two_items() -> None:
    pages, items = wire.paged(CHARGEHISTORY_PRO, "charge history")
    assert (pages, len(items)) == (1, 2)


def test_the_signed_pro_session_reads_its_ocmf_begin_and_end_registers() -> None:
    item = CHARGEHISTORY_PRO["Data"][0]
    record = history.parse_item(item, "charger-1")
    session = record.session
    assert session is not None
    assert session.source is ChargerSource.ZAPTEC_CLOUD
    assert session.started_at == datetime(2025, 6, 7, 9, 20, 55, 967000, tzinfo=UTC)
    assert session.ended_at == datetime(2025, 6, 7, 16, 46, 56, 877000, tzinfo=UTC)
    assert session.energy_kwh == Decimal("2.527")
    # B 0.842 kWh and E 3.369 kWh; later readings carry no RU and inherit the first's kWh.
    assert (session.meter_start_wh, session.meter_stop_wh) == (842, 3369)
    assert session.mid_energy_kwh == Decimal("2.527")
    assert session.duration_s == 26761
    assert record.extra["signed_session"] == item["SignedSession"]  # the evidence, untouched
    ocmf = record.extra["ocmf"]
    assert ocmf["meter_serial"] == "ZPR294591"
    assert ocmf["meter_model"] == "Zaptec Pro MID"
    assert (ocmf["start_kwh"], ocmf["end_kwh"], ocmf["signed"]) == ("0.842", "3.369", True)
    assert [r["type"] for r in ocmf["readings"]] == ["B", "T", "T", "T", "T", "T", "E"]
    assert ocmf["readings"][-1]["time"] == "2025-06-07T16:46:56.864000+00:00"
    # Published without its Id: kept, with its values, but never counted.
    assert record.external_id is None
    assert record.problem == "Id: missing"
    assert record.raw is item


def test_the_unsigned_session_counts_on_the_clouds_energy_alone() -> None:
    record = history.parse_item(CHARGEHISTORY_PRO["Data"][1], "charger-1")
    assert record.problem is None
    assert record.external_id == "e2e4b400-2569-4323-ad7c-569eab7d6403"
    session = record.session
    assert session is not None
    assert session.started_at == datetime(2025, 6, 5, 15, 23, 18, 443000, tzinfo=UTC)
    assert session.ended_at == datetime(2025, 6, 7, 8, 19, 58, 730000, tzinfo=UTC)
    assert session.energy_kwh == Decimal("0.842")
    assert (session.meter_start_wh, session.meter_stop_wh, session.mid_energy_kwh) == (
        None,
        None,
        None,
    )
    assert record.extra == {}


def test_the_recorded_go_in_the_charger_list() -> None:
    charger = wire.charger_from(CHARGERS_GO["Data"][0], {}, {})
    assert charger.external_id == "93d603a7-ff53-4ed8-8dd6-f79c94819458"
    assert (charger.model, charger.serial_number, charger.name) == (
        "Zaptec Go",
        "ZAP049387",
        "Zaptec",
    )
    assert charger.group_name == "Zaptechof 1"
    # No MID observation and no signed reading in what the API showed: not proven.
    assert not charger.mid.present


def test_the_recorded_go_state_proves_its_mid_meter_and_reads_live_values() -> None:
    state = wire.observations(STATE_GO)
    mid = wire.mid_evidence("Zaptec Go", "ZAP111522", state)
    assert mid.present
    assert mid.serial_number == "ZAP111522"
    status = status_from("46181390", state, observed_at=NOW, mid=mid)
    assert status.state is ChargerState.CHARGING
    assert status.operation_mode == "Connected_Charging"
    assert status.charging_power_kw == 10.969104  # StateId 513 is in W
    assert status.max_charging_current_a == 8  # 7.997 A set
    assert status.car_connected
    assert status.reported_at == datetime(2025, 3, 22, 12, 14, 42, 163000, tzinfo=UTC)


def test_the_hourly_signed_meter_value_of_the_go() -> None:
    record = parse_ocmf(STATE_GO[0]["ValueAsString"])
    assert record.gateway_model == "ZAPTEC GO"
    assert len(record.readings) == 1
    reading = record.readings[0]
    assert (reading.kind, reading.kwh) == (None, Decimal("2670.343"))
    assert reading.time == datetime(2025, 3, 16, 16, 0, tzinfo=UTC)


def test_the_completed_session_of_a_go_has_a_begin_but_no_end_reading() -> None:
    value = json.loads(COMPLETED_SESSION_GO)
    assert parse_utc(value["StartDateTime"]) == datetime(2025, 8, 28, 15, 2, 55, 188048, tzinfo=UTC)
    record = parse_ocmf(value["SignedSession"])
    assert record.begin is not None
    assert record.begin.kwh == Decimal("1472.07")
    assert record.begin.time == datetime(2025, 8, 28, 15, 2, 55, tzinfo=UTC)
    assert record.end is None  # so no MID energy is claimed for it
    assert record.signature is None


def test_seven_fraction_digits_of_dotnet_are_read() -> None:
    assert parse_utc("2025-06-07T08:19:58.7300001") == datetime(
        2025, 6, 7, 8, 19, 58, 730000, tzinfo=UTC
    )
