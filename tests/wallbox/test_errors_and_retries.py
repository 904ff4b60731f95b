"""Every HTTP failure maps to one error class; retryable ones are retried, others are not."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from wallbox_fakes import FakeCloud, fixture

from chargebook.clock import FixedClock
from chargebook.errors import ChargebookError, ConflictError, NotFoundError
from chargebook.wallbox import (
    WallboxAuthenticationError,
    WallboxConnectionError,
    WallboxError,
    WallboxInsufficientRightsError,
    WallboxNotFoundError,
    WallboxPayloadError,
    WallboxRateLimitedError,
    WallboxRequestError,
    WallboxUnsafeActionError,
)
from chargebook.wallbox.client import WallboxClient

MakeClient = Callable[..., WallboxClient]
STATUS = ("GET", "/chargers/status/9988552")
LOCK = ("PUT", "/v2/charger/123456")


@pytest.mark.parametrize(
    ("route", "reply", "error", "retryable"),
    [
        (STATUS, httpx.Response(429), WallboxRateLimitedError, True),
        (STATUS, httpx.Response(403), WallboxRateLimitedError, True),  # 403 on a read
        (LOCK, httpx.Response(403), WallboxInsufficientRightsError, False),  # 403 on a write
        (STATUS, httpx.Response(404), WallboxNotFoundError, False),
        (STATUS, httpx.Response(500), WallboxConnectionError, True),
        (STATUS, httpx.Response(503), WallboxConnectionError, True),
        (STATUS, httpx.Response(400), WallboxRequestError, False),
        (STATUS, httpx.ConnectTimeout("slow"), WallboxConnectionError, True),
        (STATUS, httpx.ConnectError("refused"), WallboxConnectionError, True),
        (STATUS, httpx.RemoteProtocolError("eof"), WallboxConnectionError, True),
        (STATUS, httpx.Response(200, content=b"<html>"), WallboxPayloadError, True),
        # A missing field only makes its value unknown; a value of the wrong type is an error.
        (STATUS, httpx.Response(200, json={"config_data": "x"}), WallboxPayloadError, True),
    ],
    ids=[
        "429",
        "403-read",
        "403-write",
        "404",
        "500",
        "503",
        "400",
        "timeout",
        "connect",
        "protocol",
        "html",
        "wrong-type",
    ],
)
async def test_error_mapping_without_retries(
    cloud: FakeCloud,
    make_client: MakeClient,
    route: tuple[str, str],
    reply: httpx.Response | Exception,
    error: type[WallboxError],
    retryable: bool,
) -> None:
    cloud.fail(*route, reply)
    wallbox = make_client(max_retries=0)
    call = wallbox.set_locked("123456", True) if route == LOCK else wallbox.get_status("9988552")
    with pytest.raises(error) as info:
        await call
    assert type(info.value) is error
    assert info.value.retryable is retryable
    assert isinstance(info.value, ChargebookError)
    if isinstance(reply, httpx.Response) and reply.status_code >= 400:
        assert info.value.status == reply.status_code


async def test_transport_errors_are_chained_not_leaked(
    cloud: FakeCloud, make_client: MakeClient
) -> None:
    cloud.fail(*STATUS, httpx.ReadTimeout("slow"))
    with pytest.raises(WallboxConnectionError) as info:
        await make_client(max_retries=0).get_status("9988552")
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


def test_error_tree_roots() -> None:
    assert issubclass(WallboxNotFoundError, NotFoundError)
    assert issubclass(WallboxUnsafeActionError, ConflictError)
    for cls in (WallboxAuthenticationError, WallboxPayloadError, WallboxRateLimitedError):
        assert issubclass(cls, WallboxError)


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(429),
        httpx.Response(403),
        httpx.Response(502),
        httpx.ConnectError("down"),
        httpx.Response(200, content=b'{"status_id":'),
    ],
    ids=["429", "403-read", "502", "connect", "truncated"],
)
async def test_retryable_failures_are_recovered_with_backoff(
    cloud: FakeCloud, make_client: MakeClient, clock: FixedClock, reply: object
) -> None:
    cloud.fail(*STATUS, reply, reply, reply)  # type: ignore[arg-type]
    wallbox = make_client(max_retries=4)
    status = await wallbox.get_status("9988552")
    assert status.status_code == 210
    assert len(cloud.data_requests()) == 4
    assert clock.slept_seconds > 0  # it waited between attempts (on the fake clock)


async def test_backoff_grows_exponentially_and_gives_up_after_max_retries(
    cloud: FakeCloud, make_client: MakeClient, clock: FixedClock
) -> None:
    cloud.fail(*STATUS, *[httpx.Response(500)] * 10)
    wallbox = make_client(max_retries=3)
    start = clock.now()
    with pytest.raises(WallboxConnectionError):
        await wallbox.get_status("9988552")
    assert len(cloud.data_requests()) == 4
    waited = (clock.now() - start).total_seconds()
    # base 2 s: 2 + 4 + 8 = 14 s before jitter; equal jitter keeps at least half.
    assert 7 <= waited <= 14


async def test_rate_limit_backs_off_longer_than_connection_trouble(
    cloud: FakeCloud, make_client: MakeClient, clock: FixedClock
) -> None:
    cloud.fail(*STATUS, httpx.Response(429))
    await make_client(max_retries=1).get_status("9988552")
    assert clock.slept_seconds >= 8  # 16 s base for throttling, at least half of it


@pytest.mark.parametrize(
    "reply",
    [httpx.Response(404), httpx.Response(400)],
    ids=["404", "400"],
)
async def test_permanent_failures_are_reported_at_once(
    cloud: FakeCloud, make_client: MakeClient, clock: FixedClock, reply: httpx.Response
) -> None:
    cloud.fail(*STATUS, reply)
    with pytest.raises(WallboxError):
        await make_client(max_retries=5).get_status("9988552")
    assert len(cloud.data_requests()) == 1
    assert clock.slept_seconds == 0


async def test_insufficient_rights_write_is_not_retried(
    cloud: FakeCloud, make_client: MakeClient
) -> None:
    cloud.fail(*LOCK, httpx.Response(403), httpx.Response(403))
    with pytest.raises(WallboxInsufficientRightsError) as info:
        await make_client(max_retries=5).set_locked("123456", True)
    assert info.value.charger_id == "123456"
    assert len(cloud.data_requests()) == 1


async def test_restart_and_update_refused_while_updating(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    body = fixture("status.json")
    body["status_id"] = 166
    cloud.on("GET", "/chargers/status/123456", httpx.Response(200, json=body))
    await client.get_status("123456")
    for action in (client.restart, client.update_firmware):
        with pytest.raises(WallboxUnsafeActionError, match="updating"):
            await action("123456")
    await client.pause("123456")  # other actions are still allowed
    assert [r.method for r in cloud.data_requests()] == ["GET", "POST"]
