"""Small helpers shared by the simulator tests."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from chargebook.simulator.wallbox import WallboxSimulator

BASE = "http://wallbox.test"


def basic(email: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}", "Partner": "wallbox"}


async def sign_in(
    client: httpx.AsyncClient, email: str = "demo@example.com", password: str = "demo-password"
) -> dict[str, Any]:
    """Sign in and return `data.attributes`; sets the bearer header on `client`."""
    response = await client.get("/users/signin", headers=basic(email, password))
    assert response.status_code == 200, response.text
    attributes: dict[str, Any] = response.json()["data"]["attributes"]
    client.headers["Authorization"] = f"Bearer {attributes['token']}"
    return attributes


def make_client(sim: WallboxSimulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=BASE)
