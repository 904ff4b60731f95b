"""One connected OCPP 2.0.1 charging station: the `ocpp` library's v201 ChargePoint with thin
`@on` handlers, and the framing every version shares (`framing.FramedChargePoint`).

Handlers parse, hand the facts to the recorder and answer. A TransactionEvent is answered
only once it is in the book, and never with a CALLERROR once stored (a station retries a
TransactionEvent the CSMS failed to process, `OCPPCommCtrlr.MessageAttempts`; recording is
idempotent). The station's state is kept in the 1.6 vocabulary (`status`) so the one
charger-control adapter reads both versions; open transactions by EVSE let commands name
them (RequestStopTransaction, a TxProfile).
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.v201 import ChargePoint, call_result
from ocpp.v201.enums import Action

from chargebook.central_system.certificates import CHARGING_STATION_CERTIFICATE
from chargebook.central_system.edge import plausible_meter_values
from chargebook.central_system.framing import FramedChargePoint
from chargebook.central_system.host import ChargePointHost
from chargebook.central_system.mirrored import MirroredChargePoint
from chargebook.central_system.quirks import DEFAULT_QUIRKS, ChargerQuirks
from chargebook.central_system.v201 import status
from chargebook.central_system.v201.readings import as_v16_meter_values, transaction_event_facts
from chargebook.domain.ocpp201 import ENDED
from chargebook.ocpp_common.routing import handles

FRAME_LOG = logging.getLogger("chargebook.central_system.frames")
SECURITY_LOG = logging.getLogger("chargebook.central_system.security")
_ACCEPTED = {"status": "Accepted"}


def _iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


class ChargePoint201(MirroredChargePoint, FramedChargePoint, ChargePoint):  # type: ignore[misc]  # untyped library
    """The central system's side of one OCPP 2.0.1 connection."""

    ocpp_version = "2.0.1"
    # Answered without the library's per-call overhead (`direct_calls`).
    direct_actions = frozenset(
        {
            Action.transaction_event,
            Action.meter_values,
            Action.status_notification,
            Action.heartbeat,
        }
    )

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
        self.connector_status: dict[int, str] = {}  # by EVSE id, in the 1.6 vocabulary
        self.open_transactions: dict[int, str] = {}  # EVSE id -> the station's transactionId
        self._evse_of: dict[str, int] = {}  # transactionId -> EVSE (Updated may omit evse)
        self.reports: dict[int, list[dict[str, Any]]] = {}  # NotifyReport data by requestId

    # -- handlers (charging station -> CSMS) ----------------------------------------------

    @handles(Action.boot_notification)
    async def on_boot_notification(
        self, charging_station: dict[str, Any], reason: str, **kwargs: Any
    ) -> call_result.BootNotification:
        details = {
            "charge_point_serial_number": charging_station.get("serial_number"),
            "firmware_version": charging_station.get("firmware_version"),
            "boot_reason": reason,
        }
        self.quirks = await self._recorder.boot(
            self.id,
            vendor=str(charging_station["vendor_name"]),
            model=str(charging_station["model"]),
            details=details,
        )
        self._central.forget_profiles(self.id)  # a rebooted station has lost them
        return call_result.BootNotification(
            current_time=_iso(self._central.clock.now()),
            interval=self._central.heartbeat_interval_s,
            status="Accepted",
        )

    @handles(Action.heartbeat)
    def on_heartbeat(self, **kwargs: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=_iso(self._central.clock.now()))

    @handles(Action.status_notification)
    async def on_status_notification(
        self, timestamp: str, connector_status: str, evse_id: int, connector_id: int, **kwargs: Any
    ) -> call_result.StatusNotification:
        current = self.connector_status.get(evse_id)
        self.connector_status[evse_id] = status.from_connector_status(connector_status, current)
        await self._recorder.status(
            self.id, status=connector_status, error_code="NoError", timestamp=timestamp
        )
        return call_result.StatusNotification()

    @handles(Action.authorize)
    def on_authorize(self, id_token: dict[str, Any], **kwargs: Any) -> call_result.Authorize:
        # Home chargers: every token may charge; the book records which one did.
        return call_result.Authorize(id_token_info=dict(_ACCEPTED))

    @handles(Action.transaction_event)
    async def on_transaction_event(self, **payload: Any) -> call_result.TransactionEvent:
        facts = transaction_event_facts(payload)
        now = self._central.clock.now()
        meter_value = as_v16_meter_values(payload.get("meter_value") or [])
        outcome = await self._recorder.transaction_event(
            self.id,
            event=facts,
            meter_value=plausible_meter_values(self.id, meter_value, now),
            frame=self._frame,
        )
        if outcome.is_open or outcome.ended:  # not a late event of an ended transaction
            self._follow(
                facts.transaction_id, facts.evse_id, facts.charging_state, facts.event_type
            )
        if payload.get("id_token"):
            return call_result.TransactionEvent(id_token_info=dict(_ACCEPTED))
        return call_result.TransactionEvent()

    @handles(Action.meter_values)
    async def on_meter_values(
        self, evse_id: int, meter_value: list[dict[str, Any]], **kwargs: Any
    ) -> call_result.MeterValues:
        # Outside a transaction's events (clock-aligned, evseId 0 = the main meter): samples
        # of the charger; a session's time range still gathers them when it closes.
        readings = as_v16_meter_values(meter_value)
        await self._recorder.meter_values(
            self.id,
            transaction_id=None,
            meter_value=plausible_meter_values(self.id, readings, self._central.clock.now()),
            frame=self._frame,
        )
        return call_result.MeterValues()

    @handles(Action.notify_report)
    def on_notify_report(
        self, request_id: int, generated_at: str, seq_no: int, **kwargs: Any
    ) -> call_result.NotifyReport:
        # GetBaseReport's answer comes in parts (seqNo, tbc = to be continued).
        self.reports.setdefault(request_id, []).extend(kwargs.get("report_data") or [])
        return call_result.NotifyReport()

    @handles(Action.notify_event)
    def on_notify_event(self, **kwargs: Any) -> call_result.NotifyEvent:
        return call_result.NotifyEvent()  # a second source of what StatusNotification says

    @handles(Action.security_event_notification)
    def on_security_event_notification(
        self, type: str, timestamp: str, **kwargs: Any
    ) -> call_result.SecurityEventNotification:
        # techInfo is free text from the station: logged as data, never interpreted.
        SECURITY_LOG.warning(
            "%s: security event %r at %s (%r)", self.id, type, timestamp, kwargs.get("tech_info")
        )
        return call_result.SecurityEventNotification()

    @handles(Action.firmware_status_notification)
    def on_firmware_status_notification(
        self, **kwargs: Any
    ) -> call_result.FirmwareStatusNotification:
        return call_result.FirmwareStatusNotification()

    @handles(Action.log_status_notification)
    def on_log_status_notification(self, **kwargs: Any) -> call_result.LogStatusNotification:
        return call_result.LogStatusNotification()

    @handles(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kwargs: Any) -> call_result.DataTransfer:
        return call_result.DataTransfer(status="UnknownVendorId")

    # -- state ----------------------------------------------------------------------------

    def _follow(
        self, transaction_id: str, evse_id: int | None, charging_state: str | None, event: str
    ) -> None:
        evse = evse_id or self._evse_of.get(transaction_id) or 1
        if event == ENDED:
            self._evse_of.pop(transaction_id, None)
            if self.open_transactions.get(evse) == transaction_id:
                del self.open_transactions[evse]
            if self.connector_status.get(evse) != "Available":
                self.connector_status[evse] = status.FINISHING
            return
        self._evse_of[transaction_id] = evse
        self.open_transactions[evse] = transaction_id
        state = status.from_charging_state(charging_state, self.connector_status.get(evse))
        if state is not None:
            self.connector_status[evse] = state

    @handles(Action.sign_certificate)
    async def on_sign_certificate(self, csr: str, **kwargs: Any) -> call_result.SignCertificate:
        # A02: the station's own certificate only (a V2GCertificate needs a V2G PKI), signed
        # only over TLS; CertificateSigned follows from a task, not from this handler.
        kind = kwargs.get("certificate_type") or CHARGING_STATION_CERTIFICATE
        chain = None
        if kind == CHARGING_STATION_CERTIFICATE:
            chain = await self._central.certificates.sign(
                self.id,
                csr,
                profile=self._central.security_profile(self._connection),
                certificate_type=kind,
            )
        if chain is None:
            return call_result.SignCertificate(status="Rejected")
        self.spawn(self._central.send_certificate_chain(self.id, chain))
        return call_result.SignCertificate(status="Accepted")
