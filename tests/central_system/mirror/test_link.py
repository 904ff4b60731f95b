"""The upstream link alone: a bounded outbox while the upstream is unreachable, and no
password in its repr or logs."""

from __future__ import annotations

import logging

import pytest

from chargebook.central_system.mirror import Backoff, UpstreamLink
from chargebook.central_system.mirror.transactions import TransactionMap
from chargebook.domain.ocpp_upstream import UpstreamConfig, UpstreamMode

from .upstream import eventually

PASSWORD = "never-in-a-log-Qq7"


def _link(port: int, buffer_size: int = 3) -> UpstreamLink:
    config = UpstreamConfig(
        charge_point_id="CP-1",
        url=f"ws://127.0.0.1:{port}/ocpp",
        mode=UpstreamMode.UPSTREAM_PRIMARY,
        username="CP-1",
        password_encrypted="ciphertext",
    )
    return UpstreamLink(
        config,
        PASSWORD,
        TransactionMap(),
        response_timeout_s=1.0,
        buffer_size=buffer_size,
        backoff=Backoff(first_s=0.05, max_s=0.1),
    )


async def test_the_outbox_is_bounded_and_drops_the_oldest(
    unused_tcp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    link = _link(unused_tcp_port)  # nothing listens there: the upstream is down
    link.start()
    try:
        await eventually(lambda: link.known_down)
        assert link.forward("Heartbeat", {}) is None  # a late heartbeat says nothing
        first = link.forward("StatusNotification", {"status": "Available"})
        for action in ("StartTransaction", "MeterValues", "MeterValues", "StopTransaction"):
            link.forward(action, {})
        assert link.queued == ["MeterValues", "MeterValues", "StopTransaction"]
        assert link.dropped == 2
        assert first is not None
        assert first.done.is_set()
        assert first.reply is None  # settled unanswered
    finally:
        await link.close()
    assert PASSWORD not in repr(link)
    assert PASSWORD not in caplog.text
    assert "unreachable" in caplog.text
