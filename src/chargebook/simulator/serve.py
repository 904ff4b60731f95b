"""Serve an ASGI app with uvicorn on a free loopback port in a background thread.

Used by contract tests (a real socket for synchronous clients such as the PyPI `wallbox`
package) and by benchmarks (real latency, real connection drops):

    with ServedApp(sim.app) as served:
        client.baseUrl = served.url + "/"
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn


class _DropFilter(logging.Filter):
    """Hide uvicorn's traceback for connections the simulator cuts on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        from chargebook.simulator.wallbox.faults import SimulatedConnectionDrop

        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, SimulatedConnectionDrop)


def quiet_simulated_drops() -> None:
    """Install (once) a filter so injected connection drops do not log tracebacks."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFilter) for f in logger.filters):
        logger.addFilter(_DropFilter())


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on `host`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class ServedApp:
    """Context manager running `app` under uvicorn until exit.

    Raises RuntimeError when the server does not start within `start_timeout_s` seconds.
    """

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int | None = None,
        log_level: str = "critical",
        start_timeout_s: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(
            app, host=self.host, port=self.port, log_level=log_level, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        quiet_simulated_drops()
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="served-app")
        self._start_timeout_s = start_timeout_s

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:54321."""
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> ServedApp:
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.01)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
