"""Drive simulated charge points in time: connect (and reconnect with backoff), boot, then
sessions (plug in, charge with periodic MeterValues, unplug) until stopped.

For the CLI (`chargebook simulator ocpp`), the demo and benchmarks. `fleet_urls` names a
fleet's chargers ID-0001..ID-N after the URL's last segment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from websockets.exceptions import InvalidHandshake, InvalidStatus

from chargebook.clock import Clock
from chargebook.simulator.ocpp.charge_point import SimulatedChargePoint
from chargebook.simulator.ocpp.model import ChargePointConfig
from chargebook.simulator.ocpp.station201_handlers import SimulatedStation201

# Either version's charger: the same step methods (`plug_in`, `send_meter_values`, ...).
AnyChargePoint = SimulatedChargePoint | SimulatedStation201


def simulated_charge_point(url: str, config: ChargePointConfig, clock: Clock) -> AnyChargePoint:
    """A simulated charger speaking `config.ocpp_version` ("1.6" or "2.0.1").

    Raises:
        ValueError: another version.
    """
    if config.ocpp_version == "2.0.1":
        return SimulatedStation201(url, config, clock)
    if config.ocpp_version == "1.6":
        return SimulatedChargePoint(url, config, clock)
    raise ValueError(f"OCPP version {config.ocpp_version!r}: the simulator speaks 1.6 and 2.0.1")


LOG = logging.getLogger("chargebook.simulator.ocpp")
_MAX_BACKOFF_S = 30.0


def fleet_urls(url: str, count: int) -> list[str]:
    """`count` URLs whose last segment is "<ID>-0001".."<ID>-<count>" (or `url` if count is 1)."""
    if count <= 1:
        return [url]
    parts = urlsplit(url)
    base, _, identity = parts.path.rstrip("/").rpartition("/")
    return [
        urlunsplit(parts._replace(path=f"{base}/{identity}-{n:04d}")) for n in range(1, count + 1)
    ]


async def keep_connected(cp: AnyChargePoint, stop: asyncio.Event) -> None:
    """Reconnect whenever the connection drops; flush buffered messages after each connect.

    A refused handshake (wrong password, unknown id) is not retried.
    """
    backoff = 1.0
    first = True
    while not stop.is_set():
        if not cp.connected.is_set():
            try:
                await cp.connect()
            except InvalidStatus as exc:
                LOG.error("%s refused: HTTP %s", cp.id, exc.response.status_code)
                stop.set()
                return
            except (OSError, InvalidHandshake, TimeoutError):
                await asyncio.sleep(backoff * random.uniform(0.5, 1.0))
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
                continue
            backoff = 1.0
            if first:
                await cp.boot()
                await cp.notify_status(cp.status)
                first = False
            await cp.flush_outbox()
        await _wait_any(stop, 1.0)


async def drive_sessions(
    cp: AnyChargePoint, stop: asyncio.Event, *, sessions: int | None = None
) -> None:
    """Plug in, charge (MeterValues every `meter_interval_s`), unplug, idle; repeat."""
    clock: Clock = cp.clock
    done = 0
    await cp.connected.wait()
    while not stop.is_set() and (sessions is None or done < sessions):
        await cp.plug_in()
        waited = 0.0
        while cp.transaction_id is None and waited < 60 and not stop.is_set():
            await clock.sleep(1.0)  # Wallbox quirks: wait for RemoteStartTransaction
            waited += 1.0
        while cp.transaction_id is not None and not stop.is_set():
            await clock.sleep(float(cp.configuration["MeterValueSampleInterval"]))
            if cp.transaction_id is None:
                break
            await cp.send_meter_values()
            if cp.session_energy_wh() >= cp.config.car_needs_wh:
                break
        await cp.unplug()
        done += 1
        await clock.sleep(cp.config.idle_between_sessions_s)


async def run_charge_points(
    urls: Sequence[str],
    config: ChargePointConfig,
    clock: Clock,
    stop: asyncio.Event,
    *,
    sessions: int | None = None,
    ramp_s: float = 0.0,
) -> list[AnyChargePoint]:
    """Run one simulated charge point per URL until `stop` is set (or each did `sessions`).

    `ramp_s` spreads the first connections over that many real seconds.
    """
    points = [simulated_charge_point(url, config, clock) for url in urls]

    async def run_one(index: int, cp: AnyChargePoint) -> None:
        if ramp_s:
            await asyncio.sleep(ramp_s * index / max(1, len(points)))
        keeper = asyncio.create_task(keep_connected(cp, stop))
        try:
            await drive_sessions(cp, stop, sessions=sessions)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await cp.close()

    await asyncio.gather(*(run_one(i, cp) for i, cp in enumerate(points)))
    return points


async def _wait_any(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
