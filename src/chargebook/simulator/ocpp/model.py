"""The physics of a simulated charge point: configuration, a scaled clock, the meter.

Energy is integrated from power over clock time, so a FixedClock (tests) or a ScaledClock
(demo, benchmarks: one real second = `time_scale` simulated seconds) drives it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from chargebook.clock import Clock

VOLTAGE_V = 230.0


@dataclass(frozen=True, slots=True)
class ChargePointConfig:
    """What a simulated charge point is and how it behaves.

    `wallbox_quirks` makes it behave like a Wallbox Pulsar on OCPP: vendor "Wall Box Chargers",
    a non-MID meter, no Power.Offered/Current.Offered, no autostart (needs RemoteStart), and the
    firmware bug that jumps to 16 A when the same profile arrives twice in a row. Its
    MeterValues carry the lifetime register, as recorded Pulsar and Copper SB frames show
    (tests/fixtures/real/ocpp; its spurious 0 is one of the real variants below).

    `session_relative_register` sends session-relative energy in MeterValues while Start/Stop
    carry the lifetime register, as a Growatt THOR or an ABB Terra AC does (lbbrhzn/ocpp #919,
    #1466).

    `real_variants_rate` (0..1) makes each MeterValues take each real-world variant (spurious
    0 register, mixed contexts, per-phase values, kWh/kW, same-second readings) with that
    probability, drawn from `real_variants_seed` (see `chargebook.simulator.ocpp.variants`).

    `ocpp_version` "2.0.1" makes it an OCPP 2.0.1 charging station (TransactionEvents; the
    1.6-only options above do not apply to it).
    """

    password: str | None = field(default=None, repr=False)
    wallbox_quirks: bool = False
    meter_interval_s: float = 10.0
    heartbeat_interval_s: float = 300.0
    max_current_a: float = 16.0
    phases: int = 3
    lifetime_register_wh: int = 1_254_360
    car_needs_wh: float = 20_000.0  # energy the car takes per session, then it stops drawing
    idle_between_sessions_s: float = 600.0
    id_tag: str = "SIMTAG"
    response_timeout_s: float = 30.0
    session_relative_register: bool = False
    real_variants_rate: float = 0.0
    real_variants_seed: int = 0
    ocpp_version: str = "1.6"  # or "2.0.1" (`chargebook.simulator.ocpp.station201`)

    @property
    def vendor(self) -> str:
        return "Wall Box Chargers" if self.wallbox_quirks else "chargebook"

    @property
    def model(self) -> str:
        return "PUP1-U-1-6" if self.wallbox_quirks else "SimCharger-22"

    @property
    def meter_type(self) -> str:
        return "Internal NON compliant" if self.wallbox_quirks else "MID EN 50470"


class ScaledClock:
    """A clock that runs `time_scale` times faster than the wall clock (implements Clock)."""

    def __init__(self, time_scale: float = 1.0, start: datetime | None = None) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self._scale = time_scale
        self._start = start or datetime.now(UTC)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self._scale
        return self._start + timedelta(seconds=elapsed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self._scale)


class Meter:
    """A lifetime energy register fed by the power the car draws."""

    def __init__(self, clock: Clock, register_wh: float) -> None:
        self._clock = clock
        self.register_wh = register_wh
        self.power_w = 0.0
        self._since = clock.now()

    def set_power(self, power_w: float) -> None:
        """Integrate up to now at the old power, then draw `power_w` (W) from now on."""
        self.update()
        self.power_w = max(0.0, power_w)

    def update(self) -> None:
        now = self._clock.now()
        seconds = max(0.0, (now - self._since).total_seconds())
        self.register_wh += self.power_w * seconds / 3600
        self._since = now
