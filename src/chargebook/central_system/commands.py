"""Commands from the central system to charge points, for the web app, CLI and planner.

Every command is a CALL awaited from the caller's task (never from inside a message handler,
where it would deadlock the receive loop). A CALLERROR, a refusing status or a timeout raises
(`CommandRejectedError`, `CommandTimeoutError`); the library's `suppress=True` default, which
turns a CALLERROR into None, is never used.

Current limits, pause and resume are one TxDefaultProfile (pause = 0 A, so the transaction
stays open). An OCPP 2.0.1 station gets the same commands in its version's messages
(`v201.commands`; its pause is a TxProfile). An identical profile is never sent twice in a
row: Wallbox firmware 6.4.x starts ignoring commands and jumps to 16 A when it is (evcc
#15490).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ocpp.exceptions import OCPPError
from ocpp.v16 import call
from ocpp.v16.datatypes import ChargingProfile, ChargingSchedule, ChargingSchedulePeriod
from ocpp.v16.enums import (
    ChargingProfileKindType,
    ChargingProfilePurposeType,
    ChargingRateUnitType,
    MessageTrigger,
    ResetType,
)
from ocpp.v201 import call as call201
from websockets.exceptions import ConnectionClosed

from chargebook.central_system.certificate_commands import CertificateCommands
from chargebook.central_system.charge_point import OcppChargePoint, in_message_handler
from chargebook.central_system.exceptions import (
    ChargePointNotConnectedError,
    CommandInHandlerError,
    CommandRejectedError,
    CommandTimeoutError,
)
from chargebook.central_system.v201 import commands as v201
from chargebook.central_system.v201.charge_point import ChargePoint201
from chargebook.errors import NotFoundError

if TYPE_CHECKING:
    from chargebook.central_system.recorder import OcppRecorder
    from chargebook.clock import Clock

# Statuses with which a charge point refuses a command.
_REFUSALS = frozenset(
    {
        "Rejected",
        "NotSupported",
        "UnlockFailed",
        "NotImplemented",
        "OngoingAuthorizedTransaction",  # 2.0.1 UnlockConnector
        "UnknownConnector",
    }
)
DEFAULT_ID_TAG = "chargebook"
# Resume without a known earlier limit: the charger clamps to its own maximum.
DEFAULT_RESUME_CURRENT_A = 32.0
_PROFILE_ID = 1  # one TxDefaultProfile per connector, replaced in place


class ChargePointCommands(v201.Commands201, CertificateCommands):
    """Command methods; the server provides the connection registry, clock and recorder."""

    clock: Clock
    recorder: OcppRecorder

    def __init__(self) -> None:
        super().__init__()
        self._last_profile: dict[tuple[str, int], tuple[Any, ...]] = {}
        self._resume_current_a: dict[str, float] = {}

    def charge_point(  # pragma: no cover
        self, charge_point_id: str
    ) -> OcppChargePoint | ChargePoint201:
        raise NotImplementedError

    async def describe(self, charge_point_id: str) -> OcppChargePoint | ChargePoint201:
        """The live connection (async, so a cluster can ask the process holding it).

        Raises:
            ChargePointNotConnectedError: it is not connected now.
        """
        return self.charge_point(charge_point_id)

    # -- transactions ---------------------------------------------------------------------

    async def remote_start(
        self, charge_point_id: str, *, connector_id: int = 1, id_tag: str = DEFAULT_ID_TAG
    ) -> None:
        """Ask the charger to start a transaction (RemoteStartTransaction).

        Raises:
            ChargePointNotConnectedError, CommandTimeoutError, CommandRejectedError.
        """
        if isinstance(self.charge_point(charge_point_id), ChargePoint201):
            await self._remote_start201(charge_point_id, connector_id, id_tag)
            return
        await self._call(
            charge_point_id, call.RemoteStartTransaction(id_tag=id_tag, connector_id=connector_id)
        )

    async def remote_stop(
        self, charge_point_id: str, transaction_id: int | str | None = None
    ) -> None:
        """Stop a transaction (default: the charger's oldest open one; a 2.0.1 station's may
        be named by its own string id).

        Raises:
            NotFoundError: no open transaction; and the errors of `remote_start`.
        """
        cp = self.charge_point(charge_point_id)
        if isinstance(cp, ChargePoint201):
            await self._remote_stop201(cp, transaction_id)
            return
        if isinstance(transaction_id, str):
            transaction_id = int(transaction_id) if transaction_id.isdigit() else -1
        if transaction_id is None:
            open_transactions = await self.recorder.open_transactions(charge_point_id)
            if not open_transactions:
                raise NotFoundError(f"{charge_point_id} has no open transaction")
            transaction_id = open_transactions[0].transaction_id
        await self._call(charge_point_id, call.RemoteStopTransaction(transaction_id=transaction_id))

    # -- current ----------------------------------------------------------------------------

    async def set_current(
        self, charge_point_id: str, amps: float, *, connector_id: int = 1
    ) -> bool:
        """Limit charging to `amps` (A) with a TxDefaultProfile; False if it was already set.

        Raises:
            ValueError: negative current; and the errors of `remote_start`.
        """
        if amps < 0:
            raise ValueError("a current limit cannot be negative")
        cp = self.charge_point(charge_point_id)
        quirks = cp.quirks
        limit = round(float(amps), 1)
        if isinstance(cp, ChargePoint201):
            key: tuple[Any, ...] = (cp.ocpp_version, limit)
            if self._last_profile.get((charge_point_id, connector_id)) == key:
                return False
            await self._limit201(charge_point_id, connector_id, limit)
            return self._sent(charge_point_id, connector_id, key, limit)
        stack_level = quirks.stack_level if quirks.stack_level is not None else 0
        key = (stack_level, quirks.profile_kind, limit)
        if self._last_profile.get((charge_point_id, connector_id)) == key:
            return False
        start = None
        if quirks.profile_kind == ChargingProfileKindType.absolute:
            # A minute in the past, so clock skew cannot delay the limit (as evcc does).
            start = (self.clock.now() - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
        profile = ChargingProfile(
            charging_profile_id=_PROFILE_ID,
            stack_level=stack_level,
            charging_profile_purpose=ChargingProfilePurposeType.tx_default_profile,
            charging_profile_kind=ChargingProfileKindType(quirks.profile_kind),
            charging_schedule=ChargingSchedule(
                charging_rate_unit=ChargingRateUnitType.amps,
                charging_schedule_period=[ChargingSchedulePeriod(start_period=0, limit=limit)],
                start_schedule=start,
            ),
        )
        payload = call.SetChargingProfile(connector_id=connector_id, cs_charging_profiles=profile)
        await self._call(charge_point_id, payload)
        return self._sent(charge_point_id, connector_id, key, limit)

    def _sent(
        self, charge_point_id: str, connector_id: int, key: tuple[Any, ...], limit: float
    ) -> bool:
        self._last_profile[(charge_point_id, connector_id)] = key
        if limit > 0:
            self._resume_current_a[charge_point_id] = limit
        return True

    async def pause(self, charge_point_id: str, *, connector_id: int = 1) -> bool:
        """Pause charging with a 0 A profile; the transaction stays open (2.0.1: a TxProfile
        of 0 A for the open transaction, see `v201.commands`)."""
        cp = self.charge_point(charge_point_id)
        if isinstance(cp, ChargePoint201):
            transaction_id = cp.open_transactions.get(connector_id)
            if transaction_id is not None:
                if self._paused201.get((charge_point_id, connector_id)) == transaction_id:
                    return False
                await self._pause_tx201(charge_point_id, connector_id, transaction_id)
                return True
            self._paused201[(charge_point_id, connector_id)] = None
        return await self.set_current(charge_point_id, 0.0, connector_id=connector_id)

    async def resume(
        self, charge_point_id: str, amps: float | None = None, *, connector_id: int = 1
    ) -> bool:
        """Resume at `amps`, or at the last limit before the pause."""
        if amps is None:
            amps = self._resume_current_a.get(charge_point_id, DEFAULT_RESUME_CURRENT_A)
        lifted = False
        if isinstance(self.charge_point(charge_point_id), ChargePoint201):
            lifted = await self._lift_pause201(charge_point_id, connector_id)
        changed = await self.set_current(charge_point_id, amps, connector_id=connector_id)
        return changed or lifted

    def forget_profiles(self, charge_point_id: str) -> None:
        """Forget what was sent (after a reboot the charger has lost its profiles)."""
        for key in [key for key in self._last_profile if key[0] == charge_point_id]:
            del self._last_profile[key]
        self._forget201(charge_point_id)

    # -- maintenance ----------------------------------------------------------------------

    async def reset(
        self, charge_point_id: str, *, hard: bool = False, on_idle: bool = False
    ) -> None:
        """Restart the charger (soft by default). 2.0.1 has no soft and hard: a restart is
        Immediate (it ends a running transaction first, as a 1.6 soft reset does), or OnIdle
        (`on_idle`: once no transaction runs; the station answers Scheduled meanwhile)."""
        if isinstance(self.charge_point(charge_point_id), ChargePoint201):
            when = "OnIdle" if on_idle else "Immediate"
            await self._call(charge_point_id, call201.Reset(type=when))
            return
        kind = ResetType.hard if hard else ResetType.soft
        await self._call(charge_point_id, call.Reset(type=kind))

    async def unlock(self, charge_point_id: str, *, connector_id: int = 1) -> None:
        """Release the cable lock of a connector (2.0.1: of the EVSE's connector 1)."""
        if isinstance(self.charge_point(charge_point_id), ChargePoint201):
            payload = call201.UnlockConnector(evse_id=connector_id, connector_id=1)
            await self._call(charge_point_id, payload)
            return
        await self._call(charge_point_id, call.UnlockConnector(connector_id=connector_id))

    async def get_configuration(
        self, charge_point_id: str, keys: list[str] | None = None
    ) -> dict[str, str | None]:
        """Configuration values by key (all keys when `keys` is None); unknown keys are left
        out."""
        result = await self._call(charge_point_id, call.GetConfiguration(key=keys))
        values: dict[str, str | None] = {}
        for item in result.configuration_key or []:
            entry = item if isinstance(item, dict) else asdict(item)
            values[str(entry["key"])] = entry.get("value")
        return values

    async def change_configuration(self, charge_point_id: str, key: str, value: str) -> str:
        """Set one configuration key; returns "Accepted" or "RebootRequired"."""
        result = await self._call(charge_point_id, call.ChangeConfiguration(key=key, value=value))
        return str(result.status)

    async def trigger_message(
        self, charge_point_id: str, message: str, *, connector_id: int | None = None
    ) -> None:
        """Ask the charger to send a message now (e.g. "MeterValues", "StatusNotification")."""
        if isinstance(self.charge_point(charge_point_id), ChargePoint201):
            evse = {"id": connector_id} if connector_id is not None else None
            trigger = call201.TriggerMessage(requested_message=message, evse=evse)
            await self._call(charge_point_id, trigger)
            return
        payload = call.TriggerMessage(
            requested_message=MessageTrigger(message), connector_id=connector_id
        )
        await self._call(charge_point_id, payload)

    async def configure_measurands(self, charge_point_id: str) -> str:
        """Ask for the measurands the book uses, minus those the model does not support."""
        cp = self.charge_point(charge_point_id)
        quirks = cp.quirks
        if isinstance(cp, ChargePoint201):
            key = ("SampledDataCtrlr", "TxUpdatedMeasurands")
            statuses = await self.set_variables(charge_point_id, {key: ",".join(quirks.measurands)})
            return statuses[key]
        return await self.change_configuration(
            charge_point_id, "MeterValuesSampledData", ",".join(quirks.measurands)
        )

    # -- the one place a CALL is made -----------------------------------------------------

    async def _call(self, charge_point_id: str, payload: Any) -> Any:
        action = type(payload).__name__
        if in_message_handler():
            raise CommandInHandlerError(
                f"{action} awaited inside an OCPP message handler; send it from a task",
                charge_point_id=charge_point_id,
            )
        cp = self.charge_point(charge_point_id)
        if _version_of(payload) != cp.ocpp_version:
            raise CommandRejectedError(
                f"{action} is no OCPP {cp.ocpp_version} command ({charge_point_id} speaks it)",
                charge_point_id=charge_point_id,
                code="NotSupported",
            )
        try:
            result = await cp.call(payload, suppress=False)
        except OCPPError as exc:
            raise CommandRejectedError(
                f"{charge_point_id} answered {action} with {exc.code}",
                charge_point_id=charge_point_id,
                code=exc.code,
            ) from exc
        except TimeoutError as exc:
            raise CommandTimeoutError(
                f"{charge_point_id} did not answer {action} in time",
                charge_point_id=charge_point_id,
            ) from exc
        except ConnectionClosed as exc:
            raise ChargePointNotConnectedError(
                f"{charge_point_id} disconnected during {action}",
                charge_point_id=charge_point_id,
            ) from exc
        if result is None:  # defensive: a CALLERROR must never look like success
            raise CommandRejectedError(
                f"{charge_point_id} gave no answer to {action}",
                charge_point_id=charge_point_id,
                code="NoResult",
            )
        status = getattr(result, "status", None)
        if status is not None and str(status) in _REFUSALS:
            raise CommandRejectedError(
                f"{charge_point_id} refused {action}: {status}",
                charge_point_id=charge_point_id,
                code=str(status),
            )
        return result


def _version_of(payload: Any) -> str:
    return "2.0.1" if type(payload).__module__.startswith("ocpp.v201") else "1.6"
