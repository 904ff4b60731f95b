"""`chargebook demo` checks its web port before anything else, and prints what can be copied
and read: a short price summary, commands never wrapped (issue 18)."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.cli.demo import reserve_port
from chargebook.cli.demo_smart import hourly_all_in, print_price_summary, show_smart_charging
from chargebook.cli.errors import EXIT_CONFIGURATION
from chargebook.clock import FixedClock
from chargebook.prices import local_day_window
from chargebook.prices.demo import DemoPriceSource
from chargebook.prices.slots import AMSTERDAM


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_taken_port_stops_the_demo_before_it_does_anything(
    taken_port: int, isolated_data_dir: Path
) -> None:
    result = CliRunner().invoke(app, ["demo", "--port", str(taken_port), "--days", "2"])

    assert result.exit_code == EXIT_CONFIGURATION == 8, result.output
    assert f"port {taken_port} on 127.0.0.1 is not free" in result.output
    assert "`chargebook demo --port 8010`" in result.output
    assert "`make demo PORT=8010`" in result.output
    assert "Traceback" not in result.output
    # Nothing else ran: no tour, no logins pointing at someone else's server, no book.
    assert "chargebook demo ──" not in result.output
    assert "demo-password" not in result.output
    assert not (isolated_data_dir / "demo").exists()
    assert not (isolated_data_dir / "demo-web").exists()


def test_a_free_port_is_held_for_the_web_app(taken_port: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    sock = reserve_port(free)
    try:
        assert sock.getsockname() == ("127.0.0.1", free)
        sock.listen()
        with pytest.raises(Exception, match=f"port {free} on 127.0.0.1 is not free"):
            reserve_port(free)  # held until uvicorn serves on it: nothing takes it meanwhile
    finally:
        sock.close()


def test_the_price_summary_names_the_cheapest_and_dearest_hours() -> None:
    clock = FixedClock(datetime(2026, 6, 1, 18, tzinfo=UTC))
    tomorrow = clock.now().astimezone(AMSTERDAM).date() + timedelta(days=1)
    curve = asyncio.run(DemoPriceSource(clock).get_prices(*local_day_window(tomorrow)))
    assert len(curve.slots) == 96
    out = io.StringIO()
    print_price_summary(Console(file=out, width=100), curve, tomorrow)
    text = out.getvalue()

    assert len(text.splitlines()) < 15  # not one row per quarter hour
    hours = hourly_all_in(curve)
    assert len(hours) == 24
    cheapest = min(hours, key=lambda hour: hour[1])
    dearest = max(hours, key=lambda hour: hour[1])
    for hour, price in (cheapest, dearest):
        assert f"{hour:%H:%M}-" in text
        assert f"{price:.3f}" in text
    # An hour's price is its quarters' mean.
    first_quarters = [s.all_in_eur_per_kwh for s in curve.slots[:4]]
    assert hours[0][1] == sum(first_quarters) / 4


def test_suggested_commands_are_never_wrapped_on_a_narrow_terminal() -> None:
    clock = FixedClock(datetime(2026, 6, 1, 18, tzinfo=UTC))
    out = io.StringIO()
    asyncio.run(show_smart_charging(clock, Console(file=out, width=40)))
    lines = out.getvalue().splitlines()

    tomorrow = clock.now().astimezone(AMSTERDAM).date() + timedelta(days=1)
    assert f"$ chargebook prices show --day {tomorrow.isoformat()}" in lines
    assert f"$ chargebook plan --energy 20 --by 07:00 --now {clock.now().isoformat()}" in lines
