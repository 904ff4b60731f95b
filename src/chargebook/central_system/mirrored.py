"""Mirror mode's hook on a charge point connection, whatever its OCPP version: every frame from
and to a mirrored charger passes its tap (`mirror/tap.py`) before the `ocpp` library sees it
(the library drops answers with ids it did not send, so relayed frames are taken first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chargebook.central_system.mirror import MirrorTap


class MirroredChargePoint:
    """Mixed in first, before `FramedChargePoint` and the library's ChargePoint."""

    # Set when the charger is mirrored to an upstream central system.
    mirror: MirrorTap | None = None

    async def route_message(self, raw_msg: str | bytes) -> None:
        if self.mirror is not None:
            routed = await self.mirror.from_charger(raw_msg)
            if routed is None:
                return  # an answer to an upstream command: it went upstream
            raw_msg = routed
        await super().route_message(raw_msg)  # type: ignore[misc]  # the framing's

    async def _send(self, message: str) -> None:
        if self.mirror is not None:
            # May replace chargebook's answer with the upstream's, or refuse a command.
            replaced = await self.mirror.to_charger(message)
            if replaced is None:
                return
            message = replaced
        await super()._send(message)  # type: ignore[misc]  # the library's
