"""Security events of the central system's door (OCPP security whitepaper §8 names them).

One logger, `chargebook.central_system.security`, one line per event at WARNING:
`security event <kind>: charge point <id> from <peer>: <detail>`. A line never holds a
password, an Authorization header, a key or a whole certificate: callers pass what was wrong,
not what was sent. Operators route this logger to their SIEM or fail2ban.
"""

from __future__ import annotations

import logging
from enum import StrEnum

SECURITY_LOG = logging.getLogger("chargebook.central_system.security")


class SecurityEvent(StrEnum):
    """The kinds the door logs (whitepaper names where one fits)."""

    FAILED_AUTHENTICATION = "FailedToAuthenticateAtCentralSystem"  # password, username
    UNKNOWN_CHARGE_POINT = "UnknownChargePoint"
    INVALID_CERTIFICATE = "InvalidChargePointCertificate"  # chain, CN, missing
    INVALID_TLS_VERSION = "InvalidTLSVersion"  # TLS < 1.2 (A00.FR.315)
    INVALID_TLS_CIPHER_SUITE = "InvalidTLSCipherSuite"  # no common suite (A00.FR.318)
    TLS_HANDSHAKE_FAILED = "InvalidTLSHandshake"  # anything else, e.g. plain ws to wss
    INSECURE_TRANSPORT = "InsecureTransport"  # plain ws when the profile needs TLS
    PROFILE_DOWNGRADE = "SecurityProfileDowngrade"  # below the charger's minimum profile


def log_security_event(
    kind: SecurityEvent, detail: str, *, charge_point_id: str | None = None, peer: str | None = None
) -> None:
    """Log one security event; `detail` says what was wrong and must hold no secret."""
    who = f"charge point {charge_point_id}" if charge_point_id else "unknown charge point"
    SECURITY_LOG.warning("security event %s: %s from %s: %s", kind, who, peer or "?", detail)
