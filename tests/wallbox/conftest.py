"""Fixtures for the Wallbox client tests: the FakeCloud and clients wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from wallbox_fakes import EMAIL, PASSWORD, URL, FakeCloud

from chargebook.clock import FixedClock
from chargebook.wallbox import MemoryTokenStore, RequestBudget, WallboxClient


@pytest.fixture
def cloud(clock: FixedClock) -> FakeCloud:
    return FakeCloud(clock)


@pytest.fixture
def make_client(cloud: FakeCloud, clock: FixedClock) -> Callable[..., WallboxClient]:
    def make(**kwargs: Any) -> WallboxClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(cloud.handler))
        kwargs.setdefault("budget", RequestBudget.unlimited_budget(clock))
        kwargs.setdefault("token_store", MemoryTokenStore())
        kwargs.setdefault("password", PASSWORD)
        client = WallboxClient(
            EMAIL,
            kwargs.pop("password"),
            api_url=URL,
            auth_url=URL,
            http_client=http,
            clock=clock,
            **kwargs,
        )
        client._test_http = http  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
async def client(make_client: Callable[..., WallboxClient]) -> AsyncIterator[WallboxClient]:
    wallbox = make_client()
    yield wallbox
    await wallbox._test_http.aclose()  # type: ignore[attr-defined]
