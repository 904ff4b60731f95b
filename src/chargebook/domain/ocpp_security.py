"""OCPP security profiles per charger: which profile a connection actually has, and the one
rule of a charger's minimum profile.

The security whitepaper: a charger's SecurityProfile "can only be increased" and lowering it
"MUST be done through another method, not via OCPP" (A00.FR.005); OCTT TC_A_19_CSMS: after an
upgrade "the CSMS shall not accept the connection attempt" at the old profile. chargebook
trusts on upgrade: a charger that connects at a higher profile than its stored minimum raises
the minimum, so a later downgrade (a stolen password tried over plain ws://) is refused. Only
the operator lowers it (`central_system.security_profiles.set_minimum_profile`).
"""

from __future__ import annotations

from dataclasses import dataclass

NO_AUTH = 0  # no password over plain ws:// (home LAN, "empty password allowed")
BASIC = 1  # HTTP Basic over plain ws://
BASIC_TLS = 2  # HTTP Basic over TLS (in-process or at a trusted proxy)
CLIENT_CERTIFICATE = 3  # a verified client certificate whose CN is the charge point id
PROFILES = (NO_AUTH, BASIC, BASIC_TLS, CLIENT_CERTIFICATE)


def connection_profile(*, tls: bool, password: bool, certificate: bool) -> int:
    """The profile a connection has: what it proved, not what the port offers."""
    if certificate and tls:
        return CLIENT_CERTIFICATE
    if password:
        return BASIC_TLS if tls else BASIC
    return NO_AUTH


@dataclass(frozen=True, slots=True)
class ProfileDecision:
    """Whether a connection may open, and the charger's minimum afterwards."""

    admitted: bool
    minimum: int  # unchanged when refused; raised to the connection's profile when higher
    raised: bool  # the minimum must be stored higher


def decide(minimum: int, actual: int) -> ProfileDecision:
    """Refuse below the charger's minimum; raise the minimum when it connects higher."""
    if actual < minimum:
        return ProfileDecision(admitted=False, minimum=minimum, raised=False)
    return ProfileDecision(admitted=True, minimum=max(minimum, actual), raised=actual > minimum)


def profile_problem(value: int) -> str | None:
    """Why `value` is no security profile, or None."""
    if value not in PROFILES:
        return f"security profile must be 0, 1, 2 or 3, not {value}"
    return None


def describe_profile(value: int) -> str:
    """The profile in words for the CLI and web."""
    return {
        NO_AUTH: "0 (no password, plain ws://)",
        BASIC: "1 (password over plain ws://)",
        BASIC_TLS: "2 (password over TLS)",
        CLIENT_CERTIFICATE: "3 (client certificate over TLS)",
    }.get(value, str(value))
