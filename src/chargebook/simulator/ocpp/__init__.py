"""Simulated OCPP 1.6J charge points and 2.0.1 charging stations (client side, on the `ocpp`
library; `ChargePointConfig(ocpp_version="2.0.1")` or `SimulatedStation201` for 2.0.1).

In-process, for tests, the demo and benchmarks:

    cp = SimulatedChargePoint("ws://127.0.0.1:8887/CP-1", ChargePointConfig(password="..."),
                              clock=ScaledClock(time_scale=60))
    await cp.connect(); await cp.boot(); await cp.plug_in()
    await cp.send_meter_values(); await cp.unplug(); await cp.close()

or `run_charge_points(fleet_urls(url, n), config, clock, stop_event)` for a running fleet.
"""

from chargebook.simulator.ocpp.charge_point import SimulatedChargePoint
from chargebook.simulator.ocpp.model import ChargePointConfig, Meter, ScaledClock
from chargebook.simulator.ocpp.runner import (
    AnyChargePoint,
    drive_sessions,
    fleet_urls,
    keep_connected,
    run_charge_points,
    simulated_charge_point,
)
from chargebook.simulator.ocpp.station201_handlers import SimulatedStation201

__all__ = [
    "AnyChargePoint",
    "ChargePointConfig",
    "Meter",
    "ScaledClock",
    "SimulatedChargePoint",
    "SimulatedStation201",
    "drive_sessions",
    "fleet_urls",
    "keep_connected",
    "run_charge_points",
    "simulated_charge_point",
]
