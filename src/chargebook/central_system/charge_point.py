"""One connected OCPP 1.6J charge point: the `ocpp` library's ChargePoint with thin `@on`
handlers.

Handlers parse the call, hand it to the recorder and answer. The framing the library does not
do (CALLERRORs for malformed frames, implausible values and unknown actions; the handler
context commands check with `in_message_handler()`) is `framing.FramedChargePoint`. OCPP
2.0.1: `central_system.v201.charge_point`.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import (
    Action,
    AuthorizationStatus,
    DataTransferStatus,
    GenericStatus,
    RegistrationStatus,
)

from chargebook.central_system.certificates import CHARGE_POINT_CERTIFICATE
from chargebook.central_system.edge import plausible_meter_values
from chargebook.central_system.framing import FramedChargePoint, in_message_handler
from chargebook.central_system.host import ChargePointHost
from chargebook.central_system.mirrored import MirroredChargePoint
from chargebook.central_system.quirks import DEFAULT_QUIRKS, ChargerQuirks
from chargebook.central_system.wire_spelling import spell_sampled_values
from chargebook.ocpp_common.routing import handles

FRAME_LOG = logging.getLogger("chargebook.central_system.frames")
_ACCEPTED = {"status": AuthorizationStatus.accepted}
__all__ = ["OcppChargePoint", "in_message_handler"]


def _iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


class OcppChargePoint(MirroredChargePoint, FramedChargePoint, ChargePoint):  # type: ignore[misc]  # untyped library
    """The central system's side of one charge point connection."""

    ocpp_version = "1.6"
    direct_actions = frozenset({Action.meter_values, Action.status_notification, Action.heartbeat})

    def __init__(self, charge_point_id: str, connection: Any, central: ChargePointHost) -> None:
        super().__init__(
            charge_point_id,
            connection,
            response_timeout=central.response_timeout_s,
            logger=FRAME_LOG,
        )
        self._central = central
        self._recorder = central.recorder
        self._frame = ""
        self.quirks: ChargerQuirks = DEFAULT_QUIRKS
        self.connector_status: dict[int, str] = {}

    def respell(self, action: str, payload: Any) -> Any:
        """Sampled values in the 1.6 schema's spelling (`wire_spelling`)."""
        return spell_sampled_values(action, payload)

    # -- handlers (charge point -> central system) ----------------------------------------

    @handles(Action.boot_notification)
    async def on_boot_notification(
        self, charge_point_vendor: str, charge_point_model: str, **kwargs: Any
    ) -> call_result.BootNotification:
        self.quirks = await self._recorder.boot(
            self.id, vendor=charge_point_vendor, model=charge_point_model, details=kwargs
        )
        self._central.forget_profiles(self.id)  # a rebooted charger has lost them
        return call_result.BootNotification(
            current_time=_iso(self._central.clock.now()),
            interval=self._central.heartbeat_interval_s,
            status=RegistrationStatus.accepted,
        )

    @handles(Action.heartbeat)
    def on_heartbeat(self, **kwargs: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=_iso(self._central.clock.now()))

    @handles(Action.status_notification)
    async def on_status_notification(
        self, connector_id: int, error_code: str, status: str, **kwargs: Any
    ) -> call_result.StatusNotification:
        previous = self.connector_status.get(connector_id)
        self.connector_status[connector_id] = status
        await self._recorder.status(
            self.id, status=status, error_code=error_code, timestamp=kwargs.get("timestamp")
        )
        if (
            status == "Preparing"
            and previous != "Preparing"
            and connector_id > 0
            and self.quirks.remote_start_required
            and self._central.auto_remote_start
        ):
            # No autostart on this charger: start it, from a task once this answer is out.
            self.spawn(self._central.remote_start(self.id, connector_id=connector_id))
        return call_result.StatusNotification()

    @handles(Action.authorize)
    def on_authorize(self, id_tag: str, **kwargs: Any) -> call_result.Authorize:
        # Home chargers: every tag may charge; the book records which one did.
        return call_result.Authorize(id_tag_info=dict(_ACCEPTED))

    @handles(Action.start_transaction)
    async def on_start_transaction(
        self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **kwargs: Any
    ) -> call_result.StartTransaction:
        transaction_id = await self._recorder.start(
            self.id,
            connector_id=connector_id,
            id_tag=id_tag,
            meter_start_wh=meter_start,
            timestamp=timestamp,
            frame=self._frame,
        )
        return call_result.StartTransaction(
            transaction_id=transaction_id, id_tag_info=dict(_ACCEPTED)
        )

    @handles(Action.meter_values)
    async def on_meter_values(
        self, connector_id: int, meter_value: list[dict[str, Any]], **kwargs: Any
    ) -> call_result.MeterValues:
        await self._recorder.meter_values(
            self.id,
            transaction_id=kwargs.get("transaction_id"),
            meter_value=plausible_meter_values(self.id, meter_value, self._central.clock.now()),
            frame=self._frame,
        )
        return call_result.MeterValues()

    @handles(Action.stop_transaction)
    async def on_stop_transaction(
        self, meter_stop: int, timestamp: str, transaction_id: int, **kwargs: Any
    ) -> call_result.StopTransaction:
        await self._recorder.stop(
            self.id,
            transaction_id=transaction_id,
            meter_stop_wh=meter_stop,
            timestamp=timestamp,
            reason=kwargs.get("reason"),
            transaction_data=plausible_meter_values(
                self.id, kwargs.get("transaction_data") or [], self._central.clock.now()
            ),
            frame=self._frame,
        )
        # Known, duplicate or unknown: the charger may drop the message either way.
        return call_result.StopTransaction(id_tag_info=dict(_ACCEPTED))

    @handles(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kwargs: Any) -> call_result.DataTransfer:
        return call_result.DataTransfer(status=DataTransferStatus.unknown_vendor_id)

    @handles(Action.diagnostics_status_notification)
    def on_diagnostics_status_notification(
        self, **kwargs: Any
    ) -> call_result.DiagnosticsStatusNotification:
        return call_result.DiagnosticsStatusNotification()

    @handles(Action.firmware_status_notification)
    def on_firmware_status_notification(
        self, **kwargs: Any
    ) -> call_result.FirmwareStatusNotification:
        return call_result.FirmwareStatusNotification()

    @handles(Action.sign_certificate)
    async def on_sign_certificate(self, csr: str, **kwargs: Any) -> call_result.SignCertificate:
        # Security extension (A02): signed only over TLS; CertificateSigned follows from a task.
        chain = await self._central.certificates.sign(
            self.id,
            csr,
            profile=self._central.security_profile(self._connection),
            certificate_type=CHARGE_POINT_CERTIFICATE,
        )
        if chain is None:
            return call_result.SignCertificate(status=GenericStatus.rejected)
        self.spawn(self._central.send_certificate_chain(self.id, chain))
        return call_result.SignCertificate(status=GenericStatus.accepted)
