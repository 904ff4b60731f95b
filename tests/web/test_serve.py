"""`chargebook serve`: the lifespan starts the scheduler (one sync + one recorder job per
account) and the OCPP central system, and stops both; a real process stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chargebook.account_sources import connect_account
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.domain.models import ChargerSource
from chargebook.settings import Settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.web.app import create_app

from .helpers import FAST_HASHER, context_of


async def test_lifespan_runs_scheduler_and_central_system(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> None:
    settings = web_settings.model_copy(update={"ocpp_host": "127.0.0.1", "ocpp_port": 0})
    simulator = WallboxSimulator(SimulatorConfig(seed=1, accounts=1, days=1), clock=clock)
    transport = httpx.ASGITransport(app=simulator.app)
    app = create_app(  # background=True: what `serve` runs
        settings, database=sqlite_database, clock=clock, password_hasher=FAST_HASHER,
        wallbox_transport=transport, background=True,
    )  # fmt: skip
    context = context_of(app)
    await connect_account(
        settings, sqlite_database, context.box, clock,
        email="demo@example.com", password="demo-password", transport=transport,
    )  # fmt: skip
    async with app.router.lifespan_context(app):
        scheduler = context.scheduler
        assert scheduler is not None
        for _ in range(750):  # up to 15 s: the scheduler's thread reads the accounts first
            if len(scheduler.jobs) >= 3:
                break
            await asyncio.sleep(0.02)
        assert sorted(job.name for job in scheduler.jobs) == ["accounts", "record", "sync"]
        central = context.central_system
        assert central is not None
        assert context.controls._factories[ChargerSource.OCPP] is not None
        await asyncio.sleep(0)
    assert context.scheduler is None
    assert context.central_system is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_process_stops_cleanly_on_sigterm(isolated_data_dir: Path) -> None:
    port, ocpp_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "CHARGEBOOK_DATA_DIR": str(isolated_data_dir),
        "CHARGEBOOK_OCPP_HOST": "127.0.0.1",
        "CHARGEBOOK_OCPP_PORT": str(ocpp_port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "chargebook", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # Generous: a loaded 2-core CI machine needs a while to import and migrate.
        deadline = time.monotonic() + 90
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()  # first, or reading its output would wait for ever
                    output, _ = process.communicate(timeout=10)
                    pytest.fail(f"serve did not come up: {output.decode()[-2000:]}")
                time.sleep(0.2)
        assert response.status_code == 200
        assert "Sign in" in response.text
        with socket.create_connection(("127.0.0.1", ocpp_port), timeout=2):
            pass  # the central system listens next to the web app
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts the app down, then re-raises the signal so the exit status tells why.
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
        output = process.stdout.read().decode() if process.stdout else ""
        assert "Application shutdown complete" in output
        assert "Traceback" not in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
