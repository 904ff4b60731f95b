"""Certificate commands to a charger (a mixin of `commands.ChargePointCommands`): send the
signed chain (CertificateSigned) and ask a charger to renew its certificate (use case A02:
OCPP 1.6 `ExtendedTriggerMessage(SignChargePointCertificate)`, 2.0.1
`TriggerMessage(SignChargingStationCertificate)`; the charger then sends a new CSR)."""

from __future__ import annotations

import logging
from typing import Any

from ocpp.v16 import call
from ocpp.v16.enums import MessageTrigger
from ocpp.v201 import call as call201

from chargebook.central_system.certificates import CHARGING_STATION_CERTIFICATE
from chargebook.central_system.exceptions import CentralSystemError
from chargebook.central_system.security_log import SecurityEvent, log_security_event

LOG = logging.getLogger("chargebook.central_system")


class CertificateCommands:
    """Needs the command service's `charge_point` and `_call`."""

    def charge_point(self, charge_point_id: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    async def _call(self, charge_point_id: str, payload: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    async def send_certificate_chain(self, charge_point_id: str, chain_pem: str) -> None:
        """Send a signed certificate chain (CertificateSigned); a refusal is logged as a
        security event (the charger found the chain invalid) and raised.

        Raises:
            CommandRejectedError, CommandTimeoutError, ChargePointNotConnectedError.
        """
        if self.charge_point(charge_point_id).ocpp_version == "2.0.1":
            payload: Any = call201.CertificateSigned(
                certificate_chain=chain_pem, certificate_type=CHARGING_STATION_CERTIFICATE
            )
        else:
            payload = call.CertificateSigned(certificate_chain=chain_pem)
        try:
            await self._call(charge_point_id, payload)
        except CentralSystemError as exc:
            log_security_event(
                SecurityEvent.INVALID_CERTIFICATE,
                f"the charger did not install its signed certificate: {exc.message}",
                charge_point_id=charge_point_id,
            )
            raise
        LOG.info("charge point %s accepted its signed certificate", charge_point_id)

    async def renew_certificate(self, charge_point_id: str) -> None:
        """Ask the charger to send a new CSR (it answers Accepted, then SignCertificate).

        Raises:
            CommandRejectedError: the charger refused or does not support it.
            CommandTimeoutError, ChargePointNotConnectedError.
        """
        if self.charge_point(charge_point_id).ocpp_version == "2.0.1":
            trigger: Any = call201.TriggerMessage(
                requested_message="SignChargingStationCertificate"
            )
        else:
            trigger = call.ExtendedTriggerMessage(
                requested_message=MessageTrigger.sign_charge_point_certificate
            )
        await self._call(charge_point_id, trigger)
