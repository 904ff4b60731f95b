"""TLS for the central system's port: security profiles 2 and 3 served in-process (wss://).

`TransportSecurity.from_settings` reads the profile and the certificate paths once, at start,
and refuses a configuration that would serve less than the profile promises (a clear
`ConfigurationError`, not a traceback):

- profile 1: plain ws://, Basic auth (unchanged);
- profile 2: wss:// with the server certificate, Basic auth; or plain ws:// to a
  TLS-terminating reverse proxy whose address is in `ocpp_trusted_proxies` (the proxy must say
  `X-Forwarded-Proto: https`, see `admission.py`);
- with `ocpp_tls_client_ca` on a profile 1 or 2 wss:// port, client certificates are optional
  (`CERT_OPTIONAL`): a charger that presents a valid one connects at profile 3, the others
  with Basic auth (how a charger moves up to profile 3 after SignCertificate);
- profile 3: wss:// with client certificates required (`CERT_REQUIRED`: a missing certificate,
  or one from another CA, ends the TLS handshake) from `ocpp_tls_client_ca`; the CN must equal
  the charge point id (checked per connection in `admission.py`, where the URL is known).

The context follows the whitepaper (A00.FR.312/317/320) and the reference's tested setup: TLS
1.2 minimum, the four required TLS 1.2 suites (ECDHE for forward secrecy first; TLS 1.3 suites
are OpenSSL's own list and stay on), no TLS compression. One certificate (RSA or ECDSA):
A00.FR.317's note that a central system needs both for all four suites is not served yet (the
reference shows that a second `load_cert_chain` fills OpenSSL's other slot).

A TLS handshake that fails (TLS 1.1, a certificate from another CA, none under profile 3, a
plain-ws client on the wss port) never reaches websockets, and asyncio logs it only in debug
mode; `_WatchedSSLObject` logs it as a security event with OpenSSL's reason.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from chargebook.central_system.security_log import SecurityEvent, log_security_event
from chargebook.errors import ConfigurationError
from chargebook.settings import Settings

OCPP_CIPHERS_TLS12 = ":".join(
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256",  # TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        "ECDHE-ECDSA-AES256-GCM-SHA384",  # TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        "ECDHE-RSA-AES128-GCM-SHA256",  # forward-secret RSA, what current clients pick
        "ECDHE-RSA-AES256-GCM-SHA384",
        "AES128-GCM-SHA256",  # TLS_RSA_WITH_AES_128_GCM_SHA256 (required by A00.FR.317)
        "AES256-GCM-SHA384",  # TLS_RSA_WITH_AES_256_GCM_SHA384 (required by A00.FR.317)
    ]
)


class _WatchedSSLObject(ssl.SSLObject):
    """An SSLObject that logs a failed server-side handshake (asyncio's SSL protocol drives
    `do_handshake`; `SSLContext.sslobject_class` is the documented hook to subclass it)."""

    def do_handshake(self) -> None:
        try:
            super().do_handshake()
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            raise  # not a failure: the handshake needs more bytes
        except ssl.SSLError as exc:
            # OpenSSL's reason (e.g. "certificate verify failed: unable to get local issuer
            # certificate", "peer did not return a certificate", "unsupported protocol",
            # "http request"); never key material. The peer's address is not known here.
            reason = getattr(exc, "verify_message", None) or exc.reason or str(exc)
            log_security_event(_handshake_event(exc), f"TLS handshake refused: {reason}")
            raise


def _handshake_event(exc: ssl.SSLError) -> SecurityEvent:
    code = str(exc.reason or "")
    if isinstance(exc, ssl.SSLCertVerificationError) or "CERTIFICATE" in code:
        return SecurityEvent.INVALID_CERTIFICATE
    if "PROTOCOL" in code or "VERSION" in code:
        return SecurityEvent.INVALID_TLS_VERSION
    if "CIPHER" in code:
        return SecurityEvent.INVALID_TLS_CIPHER_SUITE
    return SecurityEvent.TLS_HANDSHAKE_FAILED


@dataclass(frozen=True, slots=True)
class TransportSecurity:
    """What the port serves: the profile, and the TLS context when TLS is in-process."""

    profile: int
    context: ssl.SSLContext | None
    trusted_proxies: frozenset[str]

    @property
    def scheme(self) -> str:
        return "wss" if self.context is not None else "ws"

    @property
    def requires_tls(self) -> bool:
        return self.profile >= 2

    @classmethod
    def from_settings(cls, settings: Settings) -> TransportSecurity:
        """The port's security from the settings.

        Raises:
            ConfigurationError: the profile needs files that are not configured or cannot be
                read (the message names the setting).
        """
        profile = settings.ocpp_security_profile
        proxies = frozenset(p.strip() for p in settings.ocpp_trusted_proxies if p.strip())
        cert, key = settings.ocpp_tls_cert, settings.ocpp_tls_key
        if (cert is None) != (key is None):
            raise ConfigurationError(
                "set both CHARGEBOOK_OCPP_TLS_CERT and CHARGEBOOK_OCPP_TLS_KEY, or neither"
            )
        if profile == 1 or (cert is None and profile == 2 and proxies):
            # Profile 1, or profile 2 behind a TLS-terminating proxy (checked per request).
            # Certificate files with profile 1 still give wss:// (the operator asked for TLS).
            client_ca = settings.ocpp_tls_client_ca
            context = (
                _server_context(cert, key, client_ca, required=False) if cert and key else None
            )
            return cls(profile, context, proxies)
        if cert is None or key is None:
            raise ConfigurationError(
                f"OCPP security profile {profile} needs TLS: set CHARGEBOOK_OCPP_TLS_CERT and "
                "CHARGEBOOK_OCPP_TLS_KEY"
                + (
                    " (or, for profile 2 behind a TLS-terminating reverse proxy, "
                    "CHARGEBOOK_OCPP_TRUSTED_PROXIES)"
                    if profile == 2
                    else ""
                )
            )
        client_ca = settings.ocpp_tls_client_ca
        if profile == 3 and client_ca is None:
            raise ConfigurationError(
                "OCPP security profile 3 needs CHARGEBOOK_OCPP_TLS_CLIENT_CA (the CA that "
                "issues the chargers' certificates)"
            )
        return cls(profile, _server_context(cert, key, client_ca, required=profile == 3), proxies)


def _server_context(
    cert: Path, key: Path, client_ca: Path | None, *, required: bool
) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(OCPP_CIPHERS_TLS12)
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        # The reason, not the file's content: a key must never reach a log.
        raise ConfigurationError(
            f"cannot load the OCPP TLS certificate {cert} with key {key}: "
            f"{getattr(exc, 'reason', None) or exc.strerror or type(exc).__name__}"
        ) from None
    if client_ca is not None:
        try:
            context.load_verify_locations(cafile=client_ca)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(
                f"cannot load the OCPP client CA {client_ca}: "
                f"{getattr(exc, 'reason', None) or exc.strerror or type(exc).__name__}"
            ) from None
        # Profile 3 port: no certificate, no connection. Profiles 1 and 2 with a client CA:
        # a charger may present one (it connects at profile 3, `admission.py`) or use Basic
        # auth, so chargers can move to profile 3 (SignCertificate) on the same port.
        context.verify_mode = ssl.CERT_REQUIRED if required else ssl.CERT_OPTIONAL
    context.sslobject_class = _WatchedSSLObject
    return context


def peer_common_name(peercert: object) -> str | None:
    """The subject's commonName of a verified peer certificate (`getpeercert()`'s dict), or
    None when there is none or it has several."""
    if not isinstance(peercert, dict):
        return None
    names = [
        value
        for rdn in peercert.get("subject", ())
        for (name, value) in rdn
        if name == "commonName"
    ]
    return names[0] if len(names) == 1 else None


def listening_notice(host: str, port: int, security: TransportSecurity) -> str:
    """The start-up line: where the port listens, with which profile, and whether chargers on
    other machines can reach it (the default binds to loopback only)."""
    shown = f"[{host}]" if ":" in host else host
    line = (
        f"OCPP central system on {security.scheme}://{shown}:{port}/<charge point id> "
        f"(security profile {security.profile}"
        + (", TLS at a trusted proxy" if security.requires_tls and security.context is None else "")
        + ")"
    )
    if is_loopback(host):
        line += (
            "; loopback only: chargers on other machines cannot reach it (set "
            "CHARGEBOOK_OCPP_HOST, e.g. 0.0.0.0, to listen on the network)"
        )
    return line


PROFILE_NOTICE = (
    "OCPP security profiles per charger: a charger that connects with a higher profile than "
    "its minimum raises the minimum (trust on upgrade; a lower profile is then refused). "
    "See or lower it with `chargebook ocpp security <charge point id> [--min-profile N]`"
)


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1 literals."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
