"""Commands to OCPP 2.0.1 stations, behind the same methods as 1.6 (`commands.py` hands a
2.0.1 connection to these), so the web app, the CLI, smart charging and the charger-control
port need not know the version.

Charging profiles (OCPP 2.0.1 K01; the shapes lbbrhzn/ocpp's `ocppv201.py` sends):
- the current limit is a TxDefaultProfile (id 1, stack level 0) on the EVSE: it holds for the
  running transaction and the next ones, as the 1.6 limit does;
- pause is a TxProfile (id 2, stack level 1) of 0 A for the open transaction, which outranks
  the default and ends with its transaction; resume clears it (ClearChargingProfile), and the
  limit of the TxDefaultProfile applies again. Without an open transaction (no TxProfile can
  name one) pause is the TxDefaultProfile at 0 A, as in 1.6, and resume restores the limit.
`chargingSchedule` is a list in 2.0.1, each schedule with its own id.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ocpp.v201 import call

from chargebook.errors import NotFoundError

if TYPE_CHECKING:
    from chargebook.central_system.recorder import OcppRecorder
    from chargebook.central_system.v201.charge_point import ChargePoint201

DEFAULT_PROFILE_ID = 1
PAUSE_PROFILE_ID = 2
_remote_start_ids = itertools.count(1)


def charging_profile(
    profile_id: int,
    purpose: str,
    limit_a: float,
    *,
    stack_level: int = 0,
    transaction_id: str | None = None,
) -> dict[str, Any]:
    """A one-period Relative profile in amps (snake_case, as the library serialises it)."""
    profile: dict[str, Any] = {
        "id": profile_id,
        "stack_level": stack_level,
        "charging_profile_purpose": purpose,
        "charging_profile_kind": "Relative",
        "charging_schedule": [
            {
                "id": profile_id,
                "charging_rate_unit": "A",
                "charging_schedule_period": [{"start_period": 0, "limit": limit_a}],
            }
        ],
    }
    if transaction_id is not None:
        profile["transaction_id"] = transaction_id
    return profile


class Commands201:
    """The 2.0.1 side of `ChargePointCommands` (a mixin; the server provides `_call`)."""

    recorder: OcppRecorder
    _call: Callable[[str, Any], Awaitable[Any]]

    def __init__(self) -> None:
        # (charge point, EVSE) -> the transaction a TxProfile paused, or None: paused by
        # the TxDefaultProfile at 0 A.
        self._paused201: dict[tuple[str, int], str | None] = {}

    async def _limit201(self, charge_point_id: str, evse_id: int, limit: float) -> None:
        profile = charging_profile(DEFAULT_PROFILE_ID, "TxDefaultProfile", limit)
        await self._call(
            charge_point_id, call.SetChargingProfile(evse_id=evse_id, charging_profile=profile)
        )

    async def _pause_tx201(self, charge_point_id: str, evse_id: int, transaction_id: str) -> None:
        profile = charging_profile(
            PAUSE_PROFILE_ID, "TxProfile", 0.0, stack_level=1, transaction_id=transaction_id
        )
        await self._call(
            charge_point_id, call.SetChargingProfile(evse_id=evse_id, charging_profile=profile)
        )
        self._paused201[(charge_point_id, evse_id)] = transaction_id

    async def _lift_pause201(self, charge_point_id: str, evse_id: int) -> bool:
        """Clear the pausing TxProfile; True if this process knew of a pause."""
        key = (charge_point_id, evse_id)
        known = key in self._paused201
        if self._paused201.pop(key, "") is not None:
            # Paused by a TxProfile, or unknown (this process restarted): cleared either way;
            # a station without it answers Unknown, which is no refusal.
            await self._call(
                charge_point_id, call.ClearChargingProfile(charging_profile_id=PAUSE_PROFILE_ID)
            )
        return known

    def _forget201(self, charge_point_id: str) -> None:
        for key in [key for key in self._paused201 if key[0] == charge_point_id]:
            del self._paused201[key]

    async def _remote_start201(self, charge_point_id: str, evse_id: int, id_tag: str) -> int:
        remote_start_id = next(_remote_start_ids)
        token = {"id_token": id_tag, "type": "Central"}
        await self._call(
            charge_point_id,
            call.RequestStartTransaction(
                id_token=token, remote_start_id=remote_start_id, evse_id=evse_id
            ),
        )
        return remote_start_id

    async def _remote_stop201(self, cp: ChargePoint201, transaction_id: int | str | None) -> None:
        await self._call(
            cp.id, call.RequestStopTransaction(transaction_id=await self._tx201(cp, transaction_id))
        )

    async def _tx201(self, cp: ChargePoint201, transaction_id: int | str | None) -> str:
        """The station's id of a transaction: given as text, the book's row id, or (None) the
        oldest open one."""
        if isinstance(transaction_id, str):
            return transaction_id
        if transaction_id is None and cp.open_transactions:
            return cp.open_transactions[min(cp.open_transactions)]
        for known in await self.recorder.open_transactions(cp.id):
            if known.ocpp_transaction_id and transaction_id in (None, known.transaction_id):
                return known.ocpp_transaction_id
        raise NotFoundError(f"{cp.id} has no open transaction {transaction_id or ''}".strip())

    async def get_variables(
        self, charge_point_id: str, variables: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str | None]:
        """OCPP 2.0.1 GetVariables: the Actual value of each (component, variable); None when
        the station does not know it (UnknownComponent, UnknownVariable, Rejected, ...)."""
        request = [{"component": {"name": c}, "variable": {"name": v}} for c, v in variables]
        result = await self._call(charge_point_id, call.GetVariables(get_variable_data=request))
        values: dict[tuple[str, str], str | None] = {}
        for item in result.get_variable_result:
            key = (item["component"]["name"], item["variable"]["name"])
            accepted = item["attribute_status"] == "Accepted"
            values[key] = item.get("attribute_value") if accepted else None
        return values

    async def set_variables(
        self, charge_point_id: str, values: Mapping[tuple[str, str], str]
    ) -> dict[tuple[str, str], str]:
        """OCPP 2.0.1 SetVariables: each (component, variable)'s attributeStatus (Accepted,
        RebootRequired, Rejected, UnknownComponent, UnknownVariable, ...)."""
        request = [
            {"component": {"name": c}, "variable": {"name": v}, "attribute_value": value}
            for (c, v), value in values.items()
        ]
        result = await self._call(charge_point_id, call.SetVariables(set_variable_data=request))
        return {
            (item["component"]["name"], item["variable"]["name"]): str(item["attribute_status"])
            for item in result.set_variable_result
        }

    async def get_base_report(self, charge_point_id: str, request_id: int) -> str:
        """Ask for the station's inventory; it arrives as NotifyReport (`cp.reports`)."""
        payload = call.GetBaseReport(request_id=request_id, report_base="FullInventory")
        result = await self._call(charge_point_id, payload)
        return str(result.status)
