"""The bridge runs where the issue says: in `serve`'s lifespan (the background runtime) and in
the web demo, whenever CHARGEBOOK_MQTT_URL is set; without it nothing connects."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr

from chargebook.clock import FixedClock
from chargebook.demo.web import build_demo_app
from chargebook.settings import Settings
from chargebook.web.app import create_app

from .rig import Broker, listening


def settings_for(data_dir: Path, broker: Broker | None) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key=SecretStr(Fernet.generate_key().decode()),
        mqtt_url=SecretStr(broker.url) if broker is not None else None,
        # Only the bridge: no OCPP port, no scheduler thread, no smart charging.
        web_run_central_system=False,
        web_run_scheduler=False,
        web_run_smart_charging=False,
    )


async def status_while_running(app: FastAPI, broker: Broker) -> str | None:
    async with app.router.lifespan_context(app), listening(broker) as (_, heard):
        try:
            await heard.until(lambda: "chargebook/status" in heard.seen, "the status")
        except AssertionError:
            return None
        return heard.payload("chargebook/status")


async def test_serve_runs_the_bridge(
    broker: Broker, isolated_data_dir: Path, clock: FixedClock
) -> None:
    app = create_app(settings_for(isolated_data_dir, broker), clock=clock, background=True)
    assert await status_while_running(app, broker) == "online"


async def test_the_web_demo_runs_the_bridge(
    broker: Broker, isolated_data_dir: Path, clock: FixedClock
) -> None:
    app = build_demo_app(settings_for(isolated_data_dir, broker), clock=clock, connect_owner=False)
    assert await status_while_running(app, broker) == "online"


async def test_without_a_url_nothing_connects(
    broker: Broker, isolated_data_dir: Path, clock: FixedClock
) -> None:
    app = create_app(settings_for(isolated_data_dir, None), clock=clock, background=True)
    async with app.router.lifespan_context(app), listening(broker) as (_, heard):
        await asyncio.sleep(0.5)
    assert heard.seen == {}
