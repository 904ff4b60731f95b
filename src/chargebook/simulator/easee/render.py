"""Payloads in the shapes the reference records (§2.3-§2.6), from the fleet and live state.

Key sets follow the verbatim recordings: pyeasee `tests/fixtures/chargers.json`,
`charger-state.json`, `site.json`, `site-state.json` and its test's charger config; the two
session shapes follow easee-rs (history list item, `sessions/ongoing`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chargebook.simulator.easee.fleet import PHASES, VOLTS, SimAccount, SimCharger
from chargebook.simulator.easee.sessions import PlannedSession
from chargebook.simulator.easee.state import ChargerState, Outcome


def z_time(moment: datetime) -> str:
    """`2024-05-01T15:55:38Z`: how the history and the state write a time."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def offset_time(moment: datetime) -> str:
    """`2024-05-01T15:55:41+00:00`: how the history writes the energy-transfer times."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def charger_item(charger: SimCharger, level_of_access: int = 1) -> dict[str, Any]:
    return {
        "id": charger.id,
        "name": charger.name,
        "color": 1,
        "createdOn": charger.created_on,
        "updatedOn": charger.created_on,
        "backPlate": {"id": charger.backplate_id, "masterBackPlateId": charger.backplate_id},
        "levelOfAccess": level_of_access,
        "productCode": charger.model.product_code,
        "userRole": 1,
    }


def charger_state(state: ChargerState, now: datetime) -> dict[str, Any]:
    """`GET /api/chargers/{id}/state`: power in kW, energies in kWh."""
    charger, controls = state.charger, state.controls_at(now)
    op_mode, reason, session, outcome = state.op_mode_at(now)
    if session is None:
        last = state.plan.last_ended(now)
        outcome = state.outcome(last, last.end) if last is not None else None
    power_kw = outcome.power_kw if outcome is not None and session is not None else 0.0
    amps = power_kw * 1000 / VOLTS / PHASES
    online = not controls.rebooting(now)
    return {
        "smartCharging": controls.smart_charging,
        "cableLocked": session is not None or controls.cable_locked_permanently,
        "chargerOpMode": op_mode,
        "totalPower": round(power_kw, 3),
        "sessionEnergy": outcome.energy_kwh if outcome is not None else 0.0,
        "energyPerHour": round(power_kw, 3),
        "lifetimeEnergy": round(state.lifetime_kwh(now), 6),
        "wiFiRSSI": -61,
        "cellRSSI": -73,
        "localRSSI": None,
        "outputPhase": 30 if power_kw > 0 else 0,
        "dynamicCircuitCurrentP1": controls.circuit_dynamic_a,
        "dynamicCircuitCurrentP2": controls.circuit_dynamic_a,
        "dynamicCircuitCurrentP3": controls.circuit_dynamic_a,
        "latestPulse": z_time(now),
        "chargerFirmware": charger.firmware,
        "latestFirmware": charger.latest_firmware,
        "voltage": VOLTS,
        "chargerRAT": 1,
        "lockCablePermanently": controls.cable_locked_permanently,
        "inCurrentT2": 0.0,
        "inCurrentT3": round(amps, 3),
        "inCurrentT4": round(amps, 3),
        "inCurrentT5": round(amps, 3),
        "outputCurrent": round(amps, 3),
        "isOnline": online,
        # Line voltages between the terminals (T1..T5), as the recorded states show them.
        **{f"inVoltageT{a}T{b}": _voltage(a, b) for a, b in _TERMINAL_PAIRS},
        "ledMode": 18 if power_kw > 0 else 23,
        "cableRating": 20000.0,
        "dynamicChargerCurrent": float(controls.dynamic_current_a),
        "circuitTotalAllocatedPhaseConductorCurrentL1": None,
        "circuitTotalAllocatedPhaseConductorCurrentL2": None,
        "circuitTotalAllocatedPhaseConductorCurrentL3": None,
        "circuitTotalPhaseConductorCurrentL1": round(amps, 3),
        "circuitTotalPhaseConductorCurrentL2": round(amps, 3),
        "circuitTotalPhaseConductorCurrentL3": round(amps, 3),
        "reasonForNoCurrent": reason,
        "wiFiAPEnabled": False,
    }


_TERMINAL_PAIRS = ((1, 2), (1, 3), (1, 4), (1, 5), (2, 3), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5))


def _voltage(a: int, b: int) -> float:
    if a == 1 and b == 2:
        return 3.06  # T1-T2: earth to neutral
    if a in (1, 2):
        return VOLTS  # phase to neutral (or earth)
    return round(VOLTS * 3**0.5, 1)  # phase to phase


def charger_config(state: ChargerState, now: datetime) -> dict[str, Any]:
    """`GET /api/chargers/{id}/config` (the key set of pyeasee's test config)."""
    controls = state.controls_at(now)
    config: dict[str, Any] = {
        "isEnabled": controls.enabled,
        "lockCablePermanently": controls.cable_locked_permanently,
        "authorizationRequired": False,
        "remoteStartRequired": True,
        "smartButtonEnabled": False,
        "wiFiSSID": "home",
        "detectedPowerGridType": 1,
        "offlineChargingMode": 0,
        "circuitMaxCurrentP1": 40.0,
        "circuitMaxCurrentP2": 40.0,
        "circuitMaxCurrentP3": 40.0,
        "enableIdleCurrent": False,
        "limitToSinglePhaseCharging": None,
        "phaseMode": 2,
        "localNodeType": 1,
        "localAuthorizationRequired": False,
        "localRadioChannel": 7,
        "localShortAddress": 0,
        "localParentAddrOrNumOfNodes": 0,
        "localPreAuthorizeEnabled": None,
        "localAuthorizeOfflineEnabled": None,
        "allowOfflineTxForUnknownId": None,
        "maxChargerCurrent": float(controls.max_current_a),
        "ledStripBrightness": None,
    }
    config.update(controls.settings)
    return config


def history_item(session: PlannedSession, outcome: Outcome, account: SimAccount) -> dict[str, Any]:
    """One element of `GET /api/sessions/charger/{id}/sessions/{from}/{to}` (2024 shape)."""
    item: dict[str, Any] = {
        "carConnected": z_time(session.start),
        "carDisconnected": z_time(session.end),
        "kiloWattHours": round(outcome.energy_kwh, 6),
        "pricePerKwhExcludingVat": 0,
        "pricePrKwhIncludingVat": 0,
        "costExcludingVat": 0,
        "costIncludingVat": 0,
    }
    if not session.short_item and outcome.first_transfer is not None:
        item["actualDurationSeconds"] = round(outcome.charging_s)
        item["firstEnergyTransferPeriodStarted"] = offset_time(outcome.first_transfer)
        item["lastEnergyTransferPeriodEnd"] = offset_time(outcome.last_transfer or session.end)
    item.update(id=session.id, chargerId=session.charger_id, isComplete=True)
    item["authUser"] = account.user_id
    return _damaged(item, session.bad_kind)


def _damaged(item: dict[str, Any], bad_kind: str | None) -> dict[str, Any]:
    if bad_kind == "missing_energy":
        del item["kiloWattHours"]
    elif bad_kind == "wrong_type":
        item["kiloWattHours"] = "n/a"
    elif bad_kind == "negative_energy":
        item["kiloWattHours"] = -abs(item["kiloWattHours"]) - 1.0
    elif bad_kind == "end_before_start":
        item["carConnected"], item["carDisconnected"] = (
            item["carDisconnected"],
            item["carConnected"],
        )
    return item


def ongoing(session: PlannedSession, outcome: Outcome, now: datetime) -> dict[str, Any]:
    """`GET /api/chargers/{id}/sessions/ongoing`: the other schema (provisional values)."""
    return {
        "chargerId": session.charger_id,
        "sessionEnergy": outcome.energy_kwh,
        "sessionStart": z_time(session.start),
        "sessionEnd": None,
        "sessionId": session.id,
        "chargeDurationInSeconds": round(outcome.charging_s),
        "firstEnergyTransferPeriodStart": z_time(outcome.first_transfer)
        if outcome.first_transfer
        else None,
        "lastEnergyTransferPeriodEnd": z_time(outcome.last_transfer or now)
        if outcome.first_transfer
        else None,
        "pricePrKwhIncludingVat": 0,
        "pricePerKwhExcludingVat": 0,
        "costIncludingVat": 0,
        "costExcludingVat": 0,
    }
