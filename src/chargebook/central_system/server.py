"""The OCPP central system: a websockets server, the registry of connected charge points
and the command service (see `commands.py`).

`ws://HOST:PORT/<charge point id>` (or `wss://` for security profiles 2 and 3, `tls.py`): the
id is the last path segment, and the profile's checks (HTTP Basic auth or the client
certificate's CN) run in the handshake (`admission.py`). One port serves OCPP 1.6J and 2.0.1:
the subprotocol is negotiated (`ocpp2.0.1` first when a station offers both, the order OCPP
2.0.1 Part 4 §3.1.3 shows), and a handshake offering neither is refused with HTTP 400 before
the password is checked (OCTT TC_088: never a connection without a subprotocol). A second
connection with the same id replaces the first (the charger reconnected before the old TCP
connection timed out); the old one is closed.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Coroutine
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from chargebook.central_system.admission import Admission
from chargebook.central_system.certificates import CertificateService
from chargebook.central_system.charge_point import OcppChargePoint
from chargebook.central_system.cluster.bus import BusDownError
from chargebook.central_system.cluster.node import ClusterNode, cluster_for
from chargebook.central_system.commands import ChargePointCommands
from chargebook.central_system.csr_signing import CsrSigner
from chargebook.central_system.exceptions import ChargePointNotConnectedError
from chargebook.central_system.heap import HeapSettler
from chargebook.central_system.mirror import MirrorHub
from chargebook.central_system.recorder import OcppRecorder
from chargebook.central_system.tls import PROFILE_NOTICE, TransportSecurity, listening_notice
from chargebook.central_system.v201 import SUBPROTOCOL_201
from chargebook.central_system.v201.charge_point import ChargePoint201
from chargebook.central_system.warm_restart import WarmRestart
from chargebook.central_system.writer import BookWriter
from chargebook.clock import Clock, SystemClock
from chargebook.db import Database
from chargebook.domain.charge_point_id import is_charge_point_id
from chargebook.ocpp_common.log_redaction import hide_credential_headers
from chargebook.settings import Settings

LOG = logging.getLogger("chargebook.central_system")
hide_credential_headers(LOG)  # websockets logs the handshake's Authorization at DEBUG
SUBPROTOCOL = Subprotocol("ocpp1.6")
SUBPROTOCOLS = [Subprotocol(SUBPROTOCOL_201), SUBPROTOCOL]  # the server's preference
HANDSHAKE_TIMEOUT_S = 60.0
HANDSHAKE_BACKLOG = 1024  # asyncio's 100 drops SYNs when a fleet dials at once (kernel caps it)
HEAP_QUIET_S = 5.0  # a fleet that dropped is collected once, this long after (heap.py)


def charge_point_id_from_path(path: str) -> str | None:
    """The last non-empty path segment, URL-decoded; None if there is none or it is not a
    charge point id (`chargebook.domain.charge_point_id`, the rule every door applies)."""
    segments = [s for s in urlsplit(path).path.split("/") if s]
    if not segments:
        return None
    identity = unquote(segments[-1])
    return identity if is_charge_point_id(identity) else None


class CentralSystem(ChargePointCommands):
    """The central system: `await start(host, port)`, commands, `await close()`."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        clock: Clock | None = None,
        accept_unknown: bool | None = None,
        auto_remote_start: bool = True,
        response_timeout_s: float | None = None,
        settle_heap: bool = False,
        mirrors: MirrorHub | None = None,
        warm_restart: WarmRestart | None = None,
        cluster: ClusterNode | None = None,
    ) -> None:
        """`settle_heap` freezes long-lived objects for short GC pauses (`heap.py`); it acts
        on the whole process, so servers turn it on and tests leave it off. `mirrors`
        forwards chargers that have an upstream central system (`mirror/`). `warm_restart`
        (opt-in) hands verified secrets to the next process (`warm_restart.py`); `cluster`
        makes this process one of several serving a PostgreSQL book (`cluster/`)."""
        super().__init__()
        self.clock: Clock = clock or SystemClock()
        self.writer = BookWriter(database, self.clock)
        self.recorder = OcppRecorder(self.writer)
        self.accept_unknown = (
            settings.ocpp_accept_unknown if accept_unknown is None else accept_unknown
        )
        self.auto_remote_start = auto_remote_start
        self.response_timeout_s = response_timeout_s or settings.ocpp_response_timeout_s
        self.heartbeat_interval_s = settings.ocpp_heartbeat_interval_s
        self._max_frame_bytes = settings.ocpp_max_frame_bytes
        self._admission = Admission(
            TransportSecurity.from_settings(settings),
            self.recorder,
            accept_unknown=self.accept_unknown,
        )
        self.certificates = CertificateService(
            CsrSigner.from_settings(settings), database, self.clock
        )
        self._connected: dict[str, OcppChargePoint | ChargePoint201] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: Server | None = None
        self._heap = HeapSettler(quiet_s=HEAP_QUIET_S) if settle_heap else None
        self.mirrors = mirrors
        self._warm_restart = warm_restart
        self.cluster = cluster

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def security(self) -> TransportSecurity:
        """The port's security profile and TLS context."""
        return self._admission.security

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (0 picks a free port); returns the bound port."""
        self.writer.start()
        if self._warm_restart is not None:
            self._warm_restart.restore(self._admission.verifier.cache)
        if self.cluster is not None:
            await self.cluster.start(self)
        self._server = await serve(
            self._handle,
            host,
            port,
            subprotocols=SUBPROTOCOLS,
            process_request=self._process_request,
            max_size=self._max_frame_bytes,
            logger=LOG,
            ssl=self.security.context,
            # A reconnect storm queues argon2 checks (verification.py) for longer than
            # websockets' 10 s default: it would drop those handshakes and the chargers'
            # retries would add more. A slow client holds a handshake this long at most.
            open_timeout=HANDSHAKE_TIMEOUT_S,
            backlog=HANDSHAKE_BACKLOG,
        )
        bound: int = next(iter(self._server.sockets)).getsockname()[1]
        if self._heap is not None:
            self._heap.start()
        LOG.info("%s", listening_notice(host, bound, self.security))
        LOG.info("%s", PROFILE_NOTICE)
        LOG.info("%s", self.certificates.notice())
        return bound

    async def close(self) -> None:
        """Stop listening, close every connection, finish pending book writes."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self.mirrors is not None:
            await self.mirrors.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._admission.close()
        if self._heap is not None:
            self._heap.stop()
        if self._warm_restart is not None:
            self._warm_restart.save(self._admission.verifier.cache)
        if self.cluster is not None:
            await self.cluster.close()
        await self.writer.stop()

    async def __aenter__(self) -> CentralSystem:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run `coroutine` as a background task (outside any handler); failures are logged."""
        task = asyncio.get_running_loop().create_task(coroutine, context=_fresh_context())
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            LOG.warning("background OCPP command failed: %s", task.exception())

    def security_profile(self, connection: ServerConnection) -> int:
        """The security profile a connection was admitted with (`admission.py`)."""
        return self._admission.profile_of(connection)

    # -- registry -------------------------------------------------------------------------

    def connected_ids(self) -> list[str]:
        """Ids of the charge points connected now, sorted."""
        return sorted(self._connected)

    def is_connected(self, charge_point_id: str) -> bool:
        return charge_point_id in self._connected

    def charge_point(self, charge_point_id: str) -> OcppChargePoint | ChargePoint201:
        """The live connection of a charge point (1.6J or 2.0.1).

        Raises:
            ChargePointNotConnectedError: it is not connected now.
        """
        cp = self._connected.get(charge_point_id)
        if cp is None:
            raise ChargePointNotConnectedError(
                f"charge point {charge_point_id} is not connected", charge_point_id=charge_point_id
            )
        return cp

    # -- handshake and connection ---------------------------------------------------------

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        offered = ",".join(request.headers.get_all("Sec-WebSocket-Protocol"))
        if not set(SUBPROTOCOLS) & {p.strip() for p in offered.split(",")}:
            return connection.respond(
                HTTPStatus.BAD_REQUEST, "subprotocol ocpp2.0.1 or ocpp1.6 required\n"
            )
        charge_point_id = charge_point_id_from_path(request.path)
        if charge_point_id is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "no valid charge point id\n")
        return await self._admission.admit(connection, request, charge_point_id)

    async def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None  # set once the handshake is done
        charge_point_id = charge_point_id_from_path(connection.request.path)
        assert charge_point_id is not None  # checked in the handshake
        cp: OcppChargePoint | ChargePoint201
        if connection.subprotocol == SUBPROTOCOL_201:
            cp = ChargePoint201(charge_point_id, connection, self)
        else:
            cp = OcppChargePoint(charge_point_id, connection, self)
        previous = self._connected.get(charge_point_id)
        self._connected[charge_point_id] = cp
        if previous is not None:
            LOG.info("charge point %s reconnected; closing its old connection", charge_point_id)
            self.spawn(previous._connection.close(code=1000, reason="replaced"))
        if self._heap is not None:
            self._heap.connections_changed(len(self._connected))
        epoch = None
        try:
            if self.cluster is not None:  # newest connection wins across processes too
                try:
                    epoch = await self.cluster.claimed(charge_point_id, cp.ocpp_version)
                except BusDownError:  # unregistered, a socket could be claimed twice
                    LOG.warning("charge point %s refused: PostgreSQL unreachable", charge_point_id)
                    await connection.close(code=1011, reason="try again later")
                    return
            cp.quirks = await self.recorder.quirks(charge_point_id)
            if self.mirrors is not None:  # spoken to the upstream in the charger's version
                cp.mirror = await self.mirrors.attach(
                    charge_point_id,
                    send_to_charger=connection.send,
                    call_lock=cp._call_lock,
                    version=cp.ocpp_version,
                )
            await cp.start()
        except ConnectionClosed:
            pass
        finally:
            if self.cluster is not None and epoch is not None:
                await self.cluster.released(charge_point_id, epoch)
            if self.mirrors is not None:
                self.mirrors.detach(charge_point_id, cp.mirror)
            if self._connected.get(charge_point_id) is cp:
                del self._connected[charge_point_id]
                if self._heap is not None:
                    self._heap.connections_changed(len(self._connected))


def _fresh_context() -> contextvars.Context:
    # Tasks copy the creator's context; a command task must not look like it runs in a handler.
    return contextvars.Context()


async def run_central_system(
    settings: Settings,
    database: Database,
    *,
    host: str,
    port: int,
    stop_event: asyncio.Event,
    clock: Clock | None = None,
    warm_restart: WarmRestart | None = None,
) -> None:
    """Serve OCPP on host:port until `stop_event` is set (for `chargebook serve` / `ocpp serve`)."""
    central = CentralSystem(
        settings,
        database,
        clock=clock,
        settle_heap=True,
        mirrors=default_mirrors(settings, database),
        warm_restart=warm_restart,
        cluster=cluster_for(database, settings.ocpp_response_timeout_s),
    )
    async with central:
        await central.start(host, port)
        await stop_event.wait()


def default_mirrors(settings: Settings, database: Database) -> MirrorHub:
    """Mirror mode as a served central system runs it: the secret key is read (never created:
    an upstream password in the book means the key exists) when a mirrored charger connects."""
    from chargebook.crypto import load_secret_box

    return MirrorHub(
        database,
        lambda: load_secret_box(settings, create=False),
        response_timeout_s=settings.ocpp_response_timeout_s,
    )
