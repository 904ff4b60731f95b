"""Render one charger's state the three ways the API shows it (reference §2.1-2.3, §2.6).

Shapes, key spellings and types follow the reference exactly: camelCase in groups, the
`data.chargerData` envelope with Wh strings in `resume`, snake_case status with `config_data`,
0/1 where the reference shows 0/1, `icp_max_current` null without Power Boost and no
`ecosmart` key on models without Eco-Smart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chargebook.simulator.wallbox.fleet import TIMEZONE, SimAccount, SimCharger
from chargebook.simulator.wallbox.state import CHARGING, Controls

CURRENCY = {"id": 1, "name": "Euro Member Countries", "symbol": "€", "code": "EUR"}
KM_PER_KWH = 8.0


@dataclass(frozen=True)
class ChargerView:
    """Everything needed to render one charger at one moment."""

    charger: SimCharger
    owner: SimAccount
    users: tuple[SimAccount, ...]
    controls: Controls
    status_id: int
    power_kw: float
    energy_kwh: float  # current or last session
    charging_s: float
    discharged_kwh: float
    finished: bool
    now: datetime
    month_totals: tuple[int, int, int, int]  # sessions, charging s, energy Wh, MID energy Wh

    @property
    def last_sync(self) -> datetime:
        # Chargers sync about every 30 s while charging and every 300 s otherwise.
        period = 30 if self.status_id == CHARGING else 300
        epoch = int(self.now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % period, UTC)

    def software(self) -> dict[str, Any]:
        updated = self.controls.updated(self.now)
        current = self.charger.latest_version if updated else self.charger.current_version
        return {
            "updateAvailable": current != self.charger.latest_version,
            "currentVersion": current,
            "latestVersion": self.charger.latest_version,
            "fileName": f"{self.charger.model.firmware_prefix}_{self.charger.latest_version}.tar",
        }


def groups_charger(view: ChargerView) -> dict[str, Any]:
    """One item of `result.groups[].chargers` (§2.1, camelCase)."""
    c, ctl = view.charger, view.controls
    return {
        "id": c.id,
        "uid": c.uid,
        "access": True,
        "name": c.name,
        "status": view.status_id,
        "chargerType": c.model.charger_type,
        "ocppReady": "ocpp_1.6j",
        "ocppConnectionStatus": 1,
        "connectionType": "wifi",
        "locked": int(ctl.locked),
        "maxChargingCurrent": ctl.current_a,
        "addedEnergy": round(view.energy_kwh, 3),
        "chargingPower": round(view.power_kw, 2),
        "chargingTime": int(view.charging_s),
        "energyUnit": "kWh",
        "powerUnit": "kW",
        "lastConnection": int(view.now.timestamp()),
        "lastSync": int(view.last_sync.timestamp()),
        "energyCost": {"value": ctl.energy_price, "inheritedGroupId": None},
        "software": view.software(),
        "midStatus": int(c.model.mid),
        "midEnabled": c.model.mid,
        "country": "NL",
        "state": None,
        "operationMode": "wallbox",
    }


def groups(account: SimAccount, views: list[ChargerView]) -> dict[str, Any]:
    """`GET v3/chargers/groups` for `account`."""
    profile = {"id": 4, "name": "super-admin"} if account.can_write else {"id": 2, "name": "user"}
    price = views[0].controls.energy_price if views else 0.2
    return {
        "result": {
            "groups": [
                {
                    "id": account.group_id,
                    "uid": account.group_uid,
                    "parent": None,
                    "name": account.group_name,
                    "profile": profile,
                    "currency": 1,
                    "energyPrice": price,
                    "chargers": [groups_charger(v) for v in views],
                    "plan": {
                        "name": "Basic",
                        "features": views[0].charger.features if views else [],
                    },
                }
            ]
        }
    }


def charger_data(view: ChargerView) -> dict[str, Any]:
    """`GET|PUT v2/charger/{id}`: the `data.chargerData` envelope (§2.2)."""
    c, ctl = view.charger, view.controls
    sessions, charging_s, energy_wh, mid_wh = view.month_totals
    return {
        "data": {
            "chargerData": {
                "id": c.id,
                "uid": c.uid,
                "serialNumber": str(c.id),
                "name": c.name,
                "group": c.group_id,
                "groupUid": view.owner.group_uid,
                "chargerType": c.model.charger_type,
                "softwareVersion": view.software()["currentVersion"],
                "status": view.status_id,
                "ocppConnectionStatus": 1,
                "ocppReady": "ocpp_1.6j",
                "stateOfCharge": None,
                "maxChgCurrent": c.model.max_current_a,
                "maxAvailableCurrent": c.model.max_current_a,
                "maxChargingCurrent": ctl.current_a,
                "locked": int(ctl.locked),
                "lastConnection": int(view.now.timestamp()),
                "lastSync": {
                    "date": view.last_sync.strftime("%Y-%m-%d %H:%M:%S.000000"),
                    "timezone_type": 3,
                    "timezone": "UTC",
                },
                "midEnabled": int(c.model.mid),
                "midMargin": 1,
                "midMarginUnit": 1,
                "midSerialNumber": c.mid_serial_number,
                "midStatus": int(c.model.mid),
                "connectionType": "wifi",
                "chargingType": "AC",
                "connectorType": c.model.connector_type,
                # `resume` holds strings in Wh although energyUnit says kWh (reference §2.2).
                "resume": {
                    "totalUsers": len(view.users),
                    "totalSessions": sessions,
                    "chargingTime": str(charging_s),
                    "totalEnergy": str(energy_wh),
                    "totalMidEnergy": str(mid_wh),
                    "energyUnit": "kWh",
                },
            },
            "users": [
                {"id": u.user_id, "name": u.name, "profile": u.profile, "assigned": True}
                for u in view.users
            ],
        }
    }


def config_data(view: ChargerView) -> dict[str, Any]:
    """The flat config of `GET|POST chargers/config/{id}` and `status.config_data` (§2.3)."""
    c, ctl = view.charger, view.controls
    result: dict[str, Any] = {
        "charger_id": c.id,
        "uid": c.uid,
        "serial_number": str(c.id),
        "name": c.name,
        "locked": int(ctl.locked),
        "auto_lock": 0,
        "auto_lock_time": 0,
        "multiuser": int(len(view.users) > 1),
        "max_charging_current": ctl.current_a,
        "language": "EN",
        "icp_max_current": ctl.icp_max_current,
        "grid_type": 1,
        "energy_price": ctl.energy_price,
        "energyCost": {"value": ctl.energy_price, "inheritedGroupId": None},
        "unlock_user_id": view.owner.user_id,
        "home_sharing": ctl.home_sharing,
        "max_available_current": c.model.max_current_a,
        "live_refresh_time": 30,
        "update_refresh_time": 300,
        "owner_id": view.owner.user_id,
        "remote_action": 0,
        "plan": {"plan_name": "Basic", "features": c.features},
        "sync_timestamp": int(view.last_sync.timestamp()),
        "currency": CURRENCY,
        "country": {"code": "NLD", "iso2": "NL"},
        "timezone": TIMEZONE,
        "part_number": c.model.part_number,
        "software": view.software(),
        "operation_mode": "wallbox",
        "ocpp_ready": "ocpp_1.6j",
        "mid_enabled": int(c.model.mid),
        "mid_margin": 1,
        "mid_margin_unit": 1,
        "mid_serial_number": c.mid_serial_number,
        "mid_status": int(c.model.mid),
        "group_id": c.group_id,
    }
    if c.model.has_ecosmart:
        eco = ctl.ecosmart
        result["ecosmart"] = {
            "enabled": eco.enabled,
            "mode": eco.mode,
            "percentage": eco.percentage,
        }
    return result


def status(view: ChargerView) -> dict[str, Any]:
    """`GET chargers/status/{id}` (§2.3): snake_case, power kW, energy kWh, time s."""
    c, ctl = view.charger, view.controls
    energy = round(view.energy_kwh, 3)
    return {
        "user_id": view.owner.user_id,
        "user_name": view.owner.name,
        "car_id": 1,
        "car_plate": "",
        "depot_price": ctl.energy_price,
        "last_sync": view.last_sync.strftime("%Y-%m-%d %H:%M:%S"),
        "power_sharing_status": 0,
        "mid_status": int(c.model.mid),
        "status_id": view.status_id,
        "name": c.name,
        "charging_power": round(view.power_kw, 2),
        "max_available_power": c.model.max_current_a,  # amps, despite the name
        "depot_name": view.owner.group_name,
        "charging_speed": ctl.current_a if view.power_kw > 0 else 0,
        "added_range": int(energy * KM_PER_KWH),
        "added_energy": energy,
        "added_green_energy": 0,
        "added_discharged_energy": round(view.discharged_kwh, 3),
        "added_grid_energy": energy,
        "charging_time": int(view.charging_s),
        "finished": view.finished,
        "cost": round(energy * ctl.energy_price, 3),
        "current_mode": 3 if view.power_kw > 0 else 1,
        "preventive_discharge": False,
        "state_of_charge": None,
        "ocpp_status": 1 if view.power_kw > 0 else 4,
        "config_data": config_data(view),
    }
