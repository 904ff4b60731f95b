"""What a charge point connection asks of the central system that accepted it: the narrow
side of `CentralSystem` a handler sees (clock, recorder, timeouts, spawning work, the
profiles it sent, a remote start). A Protocol, so that a charge point does not import the
server that imports it."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Protocol

from chargebook.central_system.certificates import CertificateService
from chargebook.central_system.recorder import OcppRecorder
from chargebook.clock import Clock


class ChargePointHost(Protocol):
    @property
    def clock(self) -> Clock: ...

    @property
    def recorder(self) -> OcppRecorder: ...

    @property
    def response_timeout_s(self) -> float: ...

    @property
    def heartbeat_interval_s(self) -> int: ...

    @property
    def auto_remote_start(self) -> bool: ...

    @property
    def certificates(self) -> CertificateService: ...

    def security_profile(self, connection: Any) -> int:
        """The security profile the connection was admitted with."""

    async def send_certificate_chain(self, charge_point_id: str, chain_pem: str) -> None:
        """Send a signed certificate chain (CertificateSigned)."""

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run `coroutine` in the background, tracked by the central system."""

    def forget_profiles(self, charge_point_id: str) -> None:
        """Forget the charging profiles sent to a charger (it rebooted)."""

    async def remote_start(self, charge_point_id: str, *, connector_id: int = 1) -> None:
        """Ask the charger to start a transaction."""
