"""Session history items (`charger_log_session`, reference §2.9) and their persistent defects."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

from chargebook.simulator.wallbox.fleet import SimAccount, SimCharger
from chargebook.simulator.wallbox.render import CURRENCY, KM_PER_KWH
from chargebook.simulator.wallbox.sessions import PlannedSession
from chargebook.simulator.wallbox.state import Outcome

INTERNAL_HOST = "http://wallbox-api.prod.wall-box.com"


def session_attributes(
    charger: SimCharger,
    owner: SimAccount,
    session: PlannedSession,
    outcome: Outcome,
    energy_price: float,
) -> dict[str, Any]:
    """The `attributes` of one finished session as served; kWh, epoch seconds, seconds."""
    energy = round(outcome.energy_kwh, 3)
    discharged = session.discharged_kwh
    attributes: dict[str, Any] = {
        "group": charger.group_id,
        "charger": charger.id,
        "user": owner.user_id,
        "start": int(session.start.timestamp()),
        "end": int(session.end.timestamp()),
        "energy": energy,
        "discharged_energy": discharged,
        "mid_energy": energy if charger.model.mid else 0,  # only a MID meter measures it
        "green_energy": 0,
        "time": math.ceil(outcome.charging_s),
        "discharging_time": math.ceil(discharged / session.power_kw * 3600),
        "cost": round(energy * energy_price, 3),
        "cost_savings": 0,
        "cost_unit": "€",
        "currency": CURRENCY,
        "range": int(energy * KM_PER_KWH),
        "group_name": owner.group_name,
        "base_group_name": owner.group_name,
        "charger_name": charger.name,
        "user_subgroup": owner.group_name,
        "user_name": owner.name,
        "user_email": owner.email,
        "user_rfid": None,
        "user_is_rfid": 0,
        "user_plate": None,
        "user_extra_information": None,
        "energy_unit": "kWh",
        "amount": None,
        "service_price": None,
        "service_time": None,
        "tax_rate": None,
        "tax_sales": None,
    }
    if session.bad_kind is not None:
        _spoil(attributes, session.bad_kind, charger)
    return attributes


def _spoil(attributes: dict[str, Any], kind: str, charger: SimCharger) -> None:
    """Make a persistently bad session, the way a sync must quarantine."""
    if kind == "missing_field":
        del attributes["energy"]
    elif kind == "wrong_type":
        attributes["start"] = "1970-01-01 00:00:00"
    elif kind == "negative_energy":
        attributes["energy"] = -abs(attributes["energy"]) - 1.0
    elif kind == "end_before_start":
        attributes["end"] = attributes["start"] - max(60, attributes["time"])
    elif kind == "energy_above_max":
        hours = (attributes["end"] - attributes["start"]) / 3600
        attributes["energy"] = round(charger.max_power_kw * hours * 1.5 + 1.0, 3)


def stats_page(
    items: list[tuple[int, dict[str, Any]]],
    query: dict[str, str],
    limit: int,
    offset: int,
    shift_back: bool,
) -> dict[str, Any]:
    """One `v4/sessions/stats` page; `shift_back` overlaps the previous page by one item."""
    begin = max(0, offset - 1) if shift_back else offset
    page = items[begin : begin + limit]
    pairs = {**query, "limit": str(limit), "offset": str(offset)}
    order = ["charger", "end_date", "start_date", "limit", "offset"]
    keys = [k for k in order if k in pairs] + [k for k in pairs if k not in order]
    link = "&".join(f"{k}={quote(pairs[k], safe='.')}" for k in keys)
    return {
        "meta": {"count": len(items)},
        "links": {"self": f"{INTERNAL_HOST}/v4/sessions/stats?{link}"},
        "data": [
            {"type": "charger_log_session", "id": str(session_id), "attributes": attributes}
            for session_id, attributes in page
        ],
    }
