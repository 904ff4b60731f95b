"""Real-world variants of valid payloads, so that clients meet what the real cloud sends.

Each variant was seen in a real recording (tests/fixtures/real/wallbox/SOURCES.md):
- a status without `charging_time` and the bookkeeping fields chargebook does not read, with
  `config_data.locked` as a JSON boolean and `max_available_power` as a float (Home
  Assistant core's fixtures);
- a `resume` block whose `chargingTime` is null and whose totals are numbers instead of
  strings (WandDeuze README: the reset at the start of a month; "can be 'null'");
- a groups list with the extra keys dutchie027's recording has (`wifiSignal`,
  `chargerLoadType`, `remoteAction`, `payments_account`, `billingInformation`, ...).

Values never change, only their shape: a client that reads them right sees the same charger.
Whether a response is a variant is a pure function of the seed, the charger, the endpoint and
the minute, so the same request at the same moment always gets the same answer.
"""

from __future__ import annotations

import copy
import random
from datetime import datetime
from typing import Any

# Status fields the Home Assistant fixtures do without (chargebook needs none of them).
_OPTIONAL_STATUS_KEYS = (
    "charging_time",
    "added_green_energy",
    "added_grid_energy",
    "finished",
    "cost",
    "car_plate",
    "depot_name",
)


def _hit(seed: int, rate: float, kind: str, charger_id: int, now: datetime) -> bool:
    if rate <= 0:
        return False
    minute = int(now.timestamp()) // 60
    return random.Random(f"wbsim-variant:{seed}:{kind}:{charger_id}:{minute}").random() < rate


def status(payload: dict[str, Any], *, seed: int, rate: float, now: datetime) -> dict[str, Any]:
    """`chargers/status/{id}` as Home Assistant recorded it, at `rate`."""
    charger_id = int(payload["config_data"]["charger_id"])
    if not _hit(seed, rate, "status", charger_id, now):
        return payload
    varied = {k: v for k, v in payload.items() if k not in _OPTIONAL_STATUS_KEYS}
    varied["max_available_power"] = float(payload["max_available_power"])
    config = dict(payload["config_data"])
    config["locked"] = bool(config["locked"])
    varied["config_data"] = config
    return varied


def charger_data(
    payload: dict[str, Any], *, seed: int, rate: float, now: datetime
) -> dict[str, Any]:
    """`v2/charger/{id}` (also the reply of a lock or current change) with the `resume` of
    a month reset: `chargingTime` null, totals as numbers, at `rate`."""
    data = payload["data"]["chargerData"]
    if not _hit(seed, rate, "charger_data", int(data["id"]), now):
        return payload
    varied = copy.deepcopy(payload)
    resume = varied["data"]["chargerData"]["resume"]
    resume["chargingTime"] = None
    for key in ("totalEnergy", "totalMidEnergy"):
        resume[key] = int(resume[key])
    return varied


def groups(payload: dict[str, Any], *, seed: int, rate: float, now: datetime) -> dict[str, Any]:
    """`v3/chargers/groups` with the extra keys of dutchie027's recording, at `rate`."""
    group_list = payload["result"]["groups"]
    if not group_list or not _hit(seed, rate, "groups", int(group_list[0]["id"]), now):
        return payload
    varied = copy.deepcopy(payload)
    for group in varied["result"]["groups"]:
        group.update(payments_account=False, billingInformation=None, customer=None)
        group["subscription"] = None
        group["plan"] = {"id": 1, "product_id": 1, "description": None, **group["plan"]}
        for charger in group["chargers"]:
            charger.update(
                wifiSignal=75,
                chargerLoadType="Private",
                currency=1,
                energyPrice=charger["energyCost"]["value"],
                remoteAction=0,
            )
    return varied
