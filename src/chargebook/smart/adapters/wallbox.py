"""`SmartCharger` over the Wallbox Cloud: pause/resume (remote actions 2/1) and the maximum
charging current, read back with `chargers/status`. Every request goes through the client's
shared `RequestBudget` (3 reads and 5 writes per rolling minute per account)."""

from __future__ import annotations

from chargebook.domain.models import ChargerState, ChargerStatus
from chargebook.domain.smart import ChargerReading
from chargebook.wallbox import WallboxClient, WallboxPayloadError


def reading_from_status(charger_id: str, status: ChargerStatus) -> ChargerReading:
    """The controller's view of a Wallbox status (current limit in A, power in kW).

    Raises:
        WallboxPayloadError: the status lacks the power, the session energy or the current
            limit, without which the controller cannot steer (retryable: the next reading
            usually has them).
    """
    power_kw, energy_kwh = status.charging_power_kw, status.session_energy_kwh
    limit_a = status.max_charging_current_a
    if power_kw is None:
        raise _missing(charger_id, "charging_power")
    if energy_kwh is None:
        raise _missing(charger_id, "added_energy")
    if limit_a is None:
        raise _missing(charger_id, "config_data.max_charging_current")
    return ChargerReading(
        charger_id=charger_id,
        observed_at=status.observed_at,
        car_connected=status.car_connected,
        charging=status.state is ChargerState.CHARGING,
        paused=status.state is ChargerState.PAUSED,
        power_kw=power_kw,
        session_energy_kwh=energy_kwh,
        current_limit_a=float(limit_a),
    )


def _missing(charger_id: str, field: str) -> WallboxPayloadError:
    return WallboxPayloadError(
        f"the charger's status does not say {field}; smart charging waits for it",
        field=field,
        charger_id=charger_id,
    )


class WallboxSmartCharger:
    """Adapts a `WallboxClient`; errors are the client's `WallboxError`s."""

    def __init__(self, client: WallboxClient) -> None:
        self._client = client

    async def read(self, charger_id: str) -> ChargerReading:
        return reading_from_status(charger_id, await self._client.get_status(charger_id))

    async def set_charging(self, charger_id: str, on: bool) -> None:
        if on:
            await self._client.resume(charger_id)
        else:
            await self._client.pause(charger_id)

    async def set_current(self, charger_id: str, amps: int) -> None:
        await self._client.set_max_current(charger_id, amps)
