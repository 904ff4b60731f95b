"""Helpers for the central system tests: registration, raw websockets clients, frames."""

from __future__ import annotations

import base64
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from chargebook.central_system import CentralSystem, hash_secret
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.ocpp.chargers import OcppChargerRepository

SECRET = "correct-horse-battery-staple-1"
CP_ID = "CP-1"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def register(
    database: Database,
    clock: FixedClock,
    charge_point_id: str,
    secret: str | None = SECRET,
    *,
    allow_empty_password: bool = False,
) -> None:
    with database.transaction() as session:
        OcppChargerRepository(session, clock).register(
            charge_point_id,
            secret_hash=hash_secret(secret) if secret else None,
            allow_empty_password=allow_empty_password,
        )


def url(central: CentralSystem, charge_point_id: str = CP_ID) -> str:
    return f"ws://127.0.0.1:{central.port}/ocpp/{charge_point_id}"  # type: ignore[attr-defined]


async def open_raw(
    central: CentralSystem,
    charge_point_id: str = CP_ID,
    password: str | None = SECRET,
    subprotocols: list[str] | None = None,
) -> ClientConnection:
    headers = basic(charge_point_id, password) if password is not None else {}
    return await connect(
        url(central, charge_point_id),
        subprotocols=subprotocols if subprotocols is not None else ["ocpp1.6"],  # type: ignore[arg-type]
        additional_headers=headers,
        compression=None,
    )


async def exchange(ws: ClientConnection, frame: list[Any] | str) -> list[Any]:
    """Send one frame (a list is JSON-encoded) and return the parsed reply."""
    await ws.send(frame if isinstance(frame, str) else json.dumps(frame))
    reply: list[Any] = json.loads(await ws.recv())
    return reply
