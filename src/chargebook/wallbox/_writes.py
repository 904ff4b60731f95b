"""The writing half of `WallboxClient`: confirmed writes, schedules and remote actions.

Every write is sent once (`confirm.py`): when its reply cannot be read, the charger is read
back through the reads in `_reads.py` instead of sending the write again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chargebook.domain.models import (
    ChargerConfig,
    ChargerStatus,
    ChargerSummary,
    ChargeSchedule,
    EcoSmartMode,
)
from chargebook.wallbox._base import ignore_body
from chargebook.wallbox._reads import _WallboxReads
from chargebook.wallbox.confirm import (
    RemoteAction,
    confirmed_action,
    confirmed_write,
    describe_update,
)
from chargebook.wallbox.exceptions import WallboxUnsafeActionError
from chargebook.wallbox.states import UPDATING_CODE
from chargebook.wallbox.wire.common import parse_payload
from chargebook.wallbox.wire.schedules import SchedulesResponse, schedules_body


class _WallboxWrites(_WallboxReads):
    """Every write and remote action of one myWallbox account (the `ChargerControl` side)."""

    async def update_charger(
        self, charger_id: str, *, locked: bool | None = None, max_current_a: int | None = None
    ) -> ChargerSummary:
        """Change the lock and/or the maximum charging current (`PUT v2/charger/{id}`).

        Returns:
            The charger as the reply's `chargerData` shows it, so no extra read is spent.

        Raises:
            ValueError: nothing to change, or a negative current.
            WallboxInsufficientRightsError: the account may only read this charger.
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        body: dict[str, Any] = {}
        if locked is not None:
            body["locked"] = 1 if locked else 0
        if max_current_a is not None:
            if max_current_a < 0:
                raise ValueError("the maximum charging current cannot be negative")
            body["maxChargingCurrent"] = max_current_a
        if not body:
            raise ValueError("update_charger needs locked and/or max_current_a")

        def took_effect(summary: ChargerSummary) -> bool:
            if locked is not None and summary.locked is not locked:
                return False
            if max_current_a is None:
                return True
            shown, ceiling = summary.max_charging_current_a, summary.max_available_current_a
            # The cloud clamps a current above what the charger can give to that maximum.
            return shown == max_current_a or (
                ceiling is not None and max_current_a > ceiling and shown == ceiling
            )

        what = describe_update(locked, max_current_a)
        return await confirmed_write(
            what,
            charger_id,
            lambda: self._charger_data("PUT", charger_id, body),
            lambda: self.get_charger(charger_id),
            took_effect,
        )

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        """Lock or unlock the charger; see `update_charger`."""
        await self.update_charger(charger_id, locked=locked)

    async def set_max_current(self, charger_id: str, amps: int) -> None:
        """Set the maximum charging current in A; see `update_charger`."""
        await self.update_charger(charger_id, max_current_a=amps)

    async def resume(self, charger_id: str) -> None:
        """Start or resume charging (remote action 1)."""
        await self._remote_action(charger_id, RemoteAction.RESUME)

    async def pause(self, charger_id: str) -> None:
        """Pause charging (remote action 2); only has an effect while charging."""
        await self._remote_action(charger_id, RemoteAction.PAUSE)

    async def resume_schedule(self, charger_id: str) -> None:
        """Return to the schedule and Eco-Smart after a manual stop (remote action 9)."""
        await self._remote_action(charger_id, RemoteAction.RESUME_SCHEDULE)

    async def restart(self, charger_id: str) -> None:
        """Reboot the charger (remote action 3); offline for about 90 s.

        Raises:
            WallboxUnsafeActionError: the charger was last seen updating its firmware.
        """
        await self._remote_action(charger_id, RemoteAction.RESTART)

    async def update_firmware(self, charger_id: str) -> None:
        """Install the available firmware update (remote action 5).

        Raises:
            WallboxUnsafeActionError: the charger was last seen updating already.
        """
        await self._remote_action(charger_id, RemoteAction.UPDATE_FIRMWARE)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> ChargerConfig:
        """Set the energy price per kWh in the account's currency (`chargers/config/{id}`).

        Raises:
            ValueError: a negative price.
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        if price_per_kwh < 0:
            raise ValueError("the energy price cannot be negative")

        def took_effect(config: ChargerConfig) -> bool:
            shown = config.energy_price_per_kwh
            return shown is not None and abs(shown - price_per_kwh) < Decimal("0.00005")

        return await confirmed_write(
            f"the energy price of {price_per_kwh}/kWh",
            charger_id,
            lambda: self._config("POST", charger_id, {"energyCost": float(price_per_kwh)}),
            lambda: self.get_config(charger_id),
            took_effect,
        )

    async def set_icp_max_current(self, charger_id: str, amps: int) -> ChargerConfig:
        """Set the Power Boost grid connection limit in A (`chargers/config/{id}`)."""
        return await confirmed_write(
            f"the Power Boost limit of {amps} A",
            charger_id,
            lambda: self._config("POST", charger_id, {"icp_max_current": amps}),
            lambda: self.get_config(charger_id),
            lambda config: config.icp_max_current_a == amps,
        )

    async def set_eco_smart(
        self, charger_id: str, mode: EcoSmartMode, *, percentage: int | None = None
    ) -> None:
        """Switch Eco-Smart off, to eco (solar + grid) or full solar (`v4/.../eco-smart`).

        Raises:
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        attributes: dict[str, int] = {
            "enabled": 0 if mode is EcoSmartMode.OFF else 1,
            "mode": 1 if mode is EcoSmartMode.FULL_SOLAR else 0,
        }
        if percentage is not None:
            attributes["percentage"] = percentage
        body = {"data": {"type": "eco_smart", "attributes": attributes}}

        def took_effect(status: ChargerStatus) -> bool:
            return status.eco_smart is not None and status.eco_smart.mode is mode

        await confirmed_write(
            f"Eco-Smart {mode.value.replace('_', ' ')}",
            charger_id,
            lambda: self._request(
                "PUT",
                f"/v4/chargers/{charger_id}/eco-smart",
                body=body,
                charger_id=charger_id,
                parse=ignore_body,
            ),
            lambda: self.get_status(charger_id),
            took_effect,
        )

    async def set_schedules(
        self, charger_id: str, schedules: list[ChargeSchedule]
    ) -> list[ChargeSchedule]:
        """Replace the schedule slots; returns them as the cloud now has them."""

        def parse(data: Any) -> list[ChargeSchedule]:
            if isinstance(data, dict) and "schedules" in data:
                wire = parse_payload(SchedulesResponse, data, what="schedules")
                return wire.to_domain()
            return list(schedules)  # the reply body is undocumented; trust the accepted write

        return await confirmed_write(
            "the charging schedules",
            charger_id,
            lambda: self._request(
                "POST",
                f"/chargers/{charger_id}/schedules",
                body=schedules_body(charger_id, schedules),
                charger_id=charger_id,
                parse=parse,
            ),
            lambda: self.get_schedules(charger_id),
            lambda shown: (
                sorted(shown, key=lambda item: item.slot)
                == sorted(schedules, key=lambda item: item.slot)
            ),
        )

    async def _remote_action(self, charger_id: str, action: RemoteAction) -> None:
        if action in (RemoteAction.RESTART, RemoteAction.UPDATE_FIRMWARE) and (
            self._status_codes.get(charger_id) == UPDATING_CODE
        ):
            raise WallboxUnsafeActionError(
                f"refusing to {action.name.lower().replace('_', ' ')} while the charger "
                "is updating its firmware",
                charger_id=charger_id,
            )

        async def send() -> None:
            await self._request(
                "POST",
                f"/v3/chargers/{charger_id}/remote-action",
                body={"action": int(action)},
                charger_id=charger_id,
                parse=ignore_body,
            )

        await confirmed_action(action, charger_id, send, lambda: self.get_status(charger_id))
