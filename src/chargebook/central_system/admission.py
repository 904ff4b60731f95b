"""Who may open a connection: the security profile's checks in the WebSocket handshake.

Called by the server's `process_request` once the subprotocol and the charge point id are
known; returns None to let the connection open, or the HTTP refusal. Every refusal is a
security event (`security_log.py`), logged without the password or the certificate.

- Profile 1: HTTP Basic, the username equal to the charge point id (A00.FR.204), the
  per-charger secret checked against its stored hash (auth.py: fast for generated secrets,
  argon2 for chosen ones, `verification.PooledVerifier`).
- Profile 2: the same over TLS. With TLS in-process the port speaks nothing else (a plain ws://
  client fails the TLS handshake). Behind a TLS-terminating proxy, the request must come from
  a trusted proxy address and say `X-Forwarded-Proto: https` (or `wss`); anything else is
  plain ws:// and refused (403), or a correct charger behind a misconfigured proxy would be
  accepted as "secure" by anyone who can reach the port and type the header.
- Profile 3: the TLS handshake already required a certificate from the configured CA; here its
  CN must equal the charge point id (B01.FR.12; CitrineOS let any certificate of the CA speak
  for any charger until it added this check), else 403. Basic auth is not asked for. A wss://
  port of profile 1 or 2 with a client CA takes a certificate too (optional there).

Then the charger's own minimum profile (`domain.ocpp_security`): the profile the connection
actually has (0 no password over ws://, 1 Basic over ws://, 2 Basic over TLS in-process or at
a trusted proxy, 3 a verified certificate) below the charger's stored minimum is refused (403
when TLS or a certificate is missing, 401 otherwise); above it raises the minimum (trust on
upgrade: OCTT TC_A_19_CSMS refuses the old profile after an upgrade).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from chargebook.central_system.auth import (
    hash_generated_secret,
    hash_secret,
    parse_basic_auth,
    upgradable,
)
from chargebook.central_system.recorder import OcppRecorder
from chargebook.central_system.security_log import SecurityEvent, log_security_event
from chargebook.central_system.tls import TransportSecurity, peer_common_name
from chargebook.central_system.verification import PooledVerifier
from chargebook.domain.ocpp import OcppCredentials
from chargebook.domain.ocpp_security import (
    BASIC_TLS,
    CLIENT_CERTIFICATE,
    connection_profile,
    decide,
)

LOG = logging.getLogger("chargebook.central_system")
_SECURE_PROTOS = frozenset({"https", "wss"})


class Admission:
    """The handshake's security checks for one port."""

    def __init__(
        self,
        security: TransportSecurity,
        recorder: OcppRecorder,
        *,
        accept_unknown: bool,
        verifier: PooledVerifier | None = None,
    ) -> None:
        self.security = security
        self._recorder = recorder
        self._accept_unknown = accept_unknown
        self.verifier = verifier or PooledVerifier()
        # The profile each open connection was admitted with (SignCertificate needs TLS).
        self._profiles: weakref.WeakKeyDictionary[ServerConnection, int] = (
            weakref.WeakKeyDictionary()
        )

    async def admit(
        self, connection: ServerConnection, request: Request, charge_point_id: str
    ) -> Response | None:
        """None if the charger may connect, else the refusal to send."""
        peer = self._peer(connection, request)
        tls = self.security.context is not None or self._forwarded_secure(connection, request)
        behind_proxy = self.security.requires_tls and self.security.context is None
        if behind_proxy and not tls:
            log_security_event(
                SecurityEvent.INSECURE_TRANSPORT,
                f"profile {self.security.profile} needs TLS; plain ws:// refused",
                charge_point_id=charge_point_id,
                peer=peer,
            )
            return connection.respond(HTTPStatus.FORBIDDEN, "TLS (wss://) required\n")
        ssl_object = connection.transport.get_extra_info("ssl_object")
        peercert = ssl_object.getpeercert() if ssl_object else None
        if self.security.profile == 3 or peercert:
            # A certificate the CA verified (required on a profile 3 port, optional on others
            # with a client CA): it must name this charger, and it is profile 3.
            admitted = await self._admit_certificate(
                connection, charge_point_id, peer, peer_common_name(peercert)
            )
            actual = CLIENT_CERTIFICATE
        else:
            admitted, password = await self._admit_password(
                connection, request, charge_point_id, peer
            )
            actual = connection_profile(tls=tls, password=bool(password), certificate=False)
        if isinstance(admitted, Response):
            return admitted
        return await self._admit_profile(connection, admitted, actual, peer)

    def profile_of(self, connection: ServerConnection) -> int:
        """The security profile an admitted connection has (0 if unknown)."""
        return self._profiles.get(connection, 0)

    def close(self) -> None:
        self.verifier.close()

    # -- profile 3 --------------------------------------------------------------------------

    async def _admit_certificate(
        self,
        connection: ServerConnection,
        charge_point_id: str,
        peer: str,
        common_name: str | None,
    ) -> Response | OcppCredentials:
        if common_name != charge_point_id:
            detail = (
                "no client certificate"
                if common_name is None
                else f"certificate CN {common_name!r} is not the charge point id"
            )
            log_security_event(
                SecurityEvent.INVALID_CERTIFICATE,
                detail,
                charge_point_id=charge_point_id,
                peer=peer,
            )
            return connection.respond(HTTPStatus.FORBIDDEN, "certificate refused\n")
        credentials = await self._known(charge_point_id, None, peer)
        return _unauthorized(connection) if credentials is None else credentials

    # -- profiles 1 and 2 -------------------------------------------------------------------

    async def _admit_password(
        self, connection: ServerConnection, request: Request, charge_point_id: str, peer: str
    ) -> tuple[Response | OcppCredentials, str]:
        """The credentials (or the refusal) and the password the charger sent."""
        auth = parse_basic_auth(request.headers.get("Authorization"))
        if auth is not None and auth[0] != charge_point_id:
            log_security_event(
                SecurityEvent.FAILED_AUTHENTICATION,
                "Basic-auth username is not the charge point id",
                charge_point_id=charge_point_id,
                peer=peer,
            )
            return _unauthorized(connection), ""
        password = auth[1] if auth else ""
        if not password and self.security.requires_tls:
            # Profile 2 is Basic auth with a password (A00.FR.203); a record's "empty password
            # allowed" is for profile 1 on a home LAN only.
            log_security_event(
                SecurityEvent.FAILED_AUTHENTICATION,
                "no password (profile 2 requires one)",
                charge_point_id=charge_point_id,
                peer=peer,
            )
            return _unauthorized(connection), ""
        credentials = await self._known(charge_point_id, password, peer)
        if credentials is None:
            return _unauthorized(connection), password
        if not await self.verifier.check(credentials, password):
            log_security_event(
                SecurityEvent.FAILED_AUTHENTICATION,
                "wrong password" if password else "no password",
                charge_point_id=charge_point_id,
                peer=peer,
            )
            return _unauthorized(connection), password
        if upgradable(credentials, password):
            await self._upgrade(credentials, password)
        return credentials, password

    # -- the charger's minimum profile ------------------------------------------------------

    async def _admit_profile(
        self, connection: ServerConnection, credentials: OcppCredentials, actual: int, peer: str
    ) -> Response | None:
        """Refuse below the charger's minimum profile; raise the minimum when it connected
        higher (`domain.ocpp_security.decide`, the one rule)."""
        charge_point_id = credentials.charge_point_id
        minimum = credentials.min_security_profile
        decision = decide(minimum, actual)
        if not decision.admitted:
            log_security_event(
                SecurityEvent.PROFILE_DOWNGRADE,
                f"connected with security profile {actual}, below its minimum {minimum}",
                charge_point_id=charge_point_id,
                peer=peer,
            )
            if minimum >= BASIC_TLS:  # TLS or a certificate is missing: no password helps
                reason = "client certificate" if minimum == CLIENT_CERTIFICATE else "TLS (wss://)"
                return connection.respond(HTTPStatus.FORBIDDEN, f"{reason} required\n")
            return _unauthorized(connection)
        if decision.raised:
            await self._recorder.raise_security_profile(charge_point_id, actual)
            LOG.info(
                "charge point %s connected with security profile %d: its minimum is now %d "
                "(lower only with `chargebook ocpp security --min-profile`)",
                charge_point_id,
                actual,
                actual,
            )
        self._profiles[connection] = actual
        return None

    async def _upgrade(self, credentials: OcppCredentials, password: str) -> None:
        """Replace an argon2 hash of a generated secret by its fast form (auth.py), so the
        next reconnect storm costs no argon2 for this charger."""
        assert credentials.secret_hash is not None  # upgradable() checked it
        try:
            replaced = await self._recorder.replace_secret_hash(
                credentials.charge_point_id,
                old=credentials.secret_hash,
                new=hash_generated_secret(password),
            )
        except Exception:  # an optimisation only: a book hiccup must not refuse the charger
            LOG.warning("charge point %s: secret hash upgrade failed", credentials.charge_point_id)
            return
        if replaced:
            LOG.info(
                "charge point %s: secret hash upgraded to the fast form",
                credentials.charge_point_id,
            )

    # -- both -------------------------------------------------------------------------------

    async def _known(
        self, charge_point_id: str, password: str | None, peer: str
    ) -> OcppCredentials | None:
        """The charger's record; an unknown one is registered unclaimed when the settings
        accept unknown chargers (with the password it sent as its secret), else None."""
        credentials = await self._recorder.credentials(charge_point_id)
        if credentials is not None:
            return credentials
        if not self._accept_unknown:
            log_security_event(
                SecurityEvent.UNKNOWN_CHARGE_POINT,
                "not registered",
                charge_point_id=charge_point_id,
                peer=peer,
            )
            return None
        secret_hash = await asyncio.to_thread(hash_secret, password) if password else None
        credentials = await self._recorder.register_unclaimed(
            charge_point_id, secret_hash=secret_hash
        )
        LOG.info("registered unknown charge point %s as unclaimed", charge_point_id)
        return credentials

    def _forwarded_secure(self, connection: ServerConnection, request: Request) -> bool:
        direct = _address(connection)
        if direct not in self.security.trusted_proxies:
            return False
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return proto in _SECURE_PROTOS

    def _peer(self, connection: ServerConnection, request: Request) -> str:
        """The client's address for the log: a trusted proxy's X-Forwarded-For, else the
        TCP peer (an untrusted peer's header is ignored: anyone can write one)."""
        direct = _address(connection)
        if direct in self.security.trusted_proxies:
            forwarded = request.headers.get("X-Forwarded-For", "")
            last = forwarded.split(",")[-1].strip()
            if last:
                return last
        return direct


def _address(connection: ServerConnection) -> str:
    remote = connection.remote_address
    return str(remote[0]) if remote else "?"


def _unauthorized(connection: ServerConnection) -> Response:
    response = connection.respond(HTTPStatus.UNAUTHORIZED, "unauthorized\n")
    response.headers["WWW-Authenticate"] = 'Basic realm="chargebook OCPP"'
    return response
