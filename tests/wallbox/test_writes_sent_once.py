"""Every write goes out once per user action, whatever fault the simulator injects.

The matrix is built from the simulator's own list of faults (`FAULT_KINDS` plus the revoked
refresh token, and each status a `server_error` can take), so a fault added there is tested
here without editing this file. For every write chargebook sends (lock, unlock, current,
pause, resume, resume schedule, restart, firmware update, energy price, Power Boost limit,
Eco-Smart, schedules) and every fault:

- the simulator carried the write out exactly once (`applied_writes`);
- the write was put on the wire exactly once, except after a 503, which proves the server did
  nothing: that one is sent again, and the second send is the one that acts;
- when the fault came after the write acted (a cut connection, a garbled reply, a 500/502),
  the client read the charger back (one GET), saw the change and reported success; only a
  restart, which a status read cannot confirm, is reported as unconfirmed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.domain.models import ChargeSchedule, EcoSmartMode
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)
from chargebook.simulator.wallbox.config import FAULT_KINDS, REVOKED_REFRESH
from chargebook.simulator.wallbox.faults import PAYLOAD_FAULTS
from chargebook.wallbox import (
    MemoryTokenStore,
    RequestBudget,
    WallboxClient,
    WallboxConnectionError,
    WallboxError,
    WallboxWriteUnconfirmedError,
)

SIM_URL = "http://simulator"
CHARGING_CODES = {193, 194, 195}
PAUSED_CODES = {178, 182}
SCHEDULE = ChargeSchedule(
    slot=0,
    enabled=True,
    start_local="2300",
    stop_local="0600",
    days=frozenset({"monday", "friday"}),
    max_current=1,
)


def _faults() -> list[tuple[str, int | None]]:
    """Every fault the simulator can inject, a server error once per status it can take."""
    statuses = SimulatorConfig().server_error_statuses
    faults: list[tuple[str, int | None]] = []
    for kind in (*FAULT_KINDS, REVOKED_REFRESH):
        if kind == "server_error":
            faults.extend((kind, status) for status in statuses)
        else:
            faults.append((kind, None))
    return faults


FAULTS = _faults()
FAULT_IDS = [f"{kind}-{status}" if status else kind for kind, status in FAULTS]


@dataclass(frozen=True)
class Write:
    """One user action: how to prepare the charger, send it, and see that it took effect."""

    method: str
    path: str  # with {cid}
    send: Callable[[WallboxClient, str], Awaitable[Any]]
    took_effect: Callable[[WallboxSimulator, int], bool]
    prepare: str = ""  # "charging", "paused", "locked", "update" or nothing
    confirmable: bool = True


def _controls(sim: WallboxSimulator, cid: int) -> Any:
    return sim.state(cid).controls_at(sim.clock.now())


WRITES: dict[str, Write] = {
    "lock": Write(
        "PUT",
        "/v2/charger/{cid}",
        lambda c, cid: c.set_locked(cid, True),
        lambda s, cid: _controls(s, cid).locked is True,
    ),
    "unlock": Write(
        "PUT",
        "/v2/charger/{cid}",
        lambda c, cid: c.set_locked(cid, False),
        lambda s, cid: _controls(s, cid).locked is False,
        prepare="locked",
    ),
    "current": Write(
        "PUT",
        "/v2/charger/{cid}",
        lambda c, cid: c.set_max_current(cid, 13),
        lambda s, cid: _controls(s, cid).current_a == 13,
    ),
    "pause": Write(
        "POST",
        "/v3/chargers/{cid}/remote-action",
        lambda c, cid: c.pause(cid),
        lambda s, cid: s.view(cid).status_id in PAUSED_CODES,
        prepare="charging",
    ),
    "resume": Write(
        "POST",
        "/v3/chargers/{cid}/remote-action",
        lambda c, cid: c.resume(cid),
        lambda s, cid: s.view(cid).status_id in CHARGING_CODES,
        prepare="paused",
    ),
    "resume_schedule": Write(
        "POST",
        "/v3/chargers/{cid}/remote-action",
        lambda c, cid: c.resume_schedule(cid),
        lambda s, cid: s.view(cid).status_id not in PAUSED_CODES,
        prepare="paused",
    ),
    "restart": Write(
        "POST",
        "/v3/chargers/{cid}/remote-action",
        lambda c, cid: c.restart(cid),
        lambda s, cid: _controls(s, cid).reboot_at == s.clock.now(),
        confirmable=False,
    ),
    "update_firmware": Write(
        "POST",
        "/v3/chargers/{cid}/remote-action",
        lambda c, cid: c.update_firmware(cid),
        lambda s, cid: s.view(cid).status_id == 166,
        prepare="update",
    ),
    "energy_cost": Write(
        "POST",
        "/chargers/config/{cid}",
        lambda c, cid: c.set_energy_price(cid, Decimal("0.3125")),
        lambda s, cid: _controls(s, cid).energy_price == 0.3125,
    ),
    "power_boost": Write(
        "POST",
        "/chargers/config/{cid}",
        lambda c, cid: c.set_icp_max_current(cid, 21),
        lambda s, cid: _controls(s, cid).icp_max_current == 21,
    ),
    "eco_smart": Write(
        "PUT",
        "/v4/chargers/{cid}/eco-smart",
        lambda c, cid: c.set_eco_smart(cid, EcoSmartMode.FULL_SOLAR),
        lambda s, cid: _controls(s, cid).ecosmart.mode == 1 and _controls(s, cid).ecosmart.enabled,
        prepare="eco",
    ),
    "schedules": Write(
        "POST",
        "/chargers/{cid}/schedules",
        lambda c, cid: c.set_schedules(cid, [SCHEDULE]),
        lambda s, cid: [x.start for x in _controls(s, cid).schedules] == ["2300"],
    ),
}


def _sim(
    clock: FixedClock, kind: str, status: int | None, *, only_writes: bool
) -> WallboxSimulator:
    config = SimulatorConfig(
        seed=1,
        chargers_per_account=3,
        days=10,
        partner_mode=True,
        slow_answer_s=0.0,
        fault_rate=1.0,
        fault_kinds=(kind,),
        fault_methods=("PUT", "POST") if only_writes else ("GET", "PUT", "POST"),
        fault_limit=1 if only_writes else None,
        server_error_statuses=(status,) if status else (500, 502, 503),
    )
    return WallboxSimulator(config, clock=clock)


@pytest.fixture
async def http() -> AsyncIterator[list[httpx.AsyncClient]]:
    opened: list[httpx.AsyncClient] = []
    yield opened
    for client in opened:
        await client.aclose()


def _client(sim: WallboxSimulator, clock: FixedClock, opened: list[httpx.AsyncClient]) -> Any:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=SIM_URL)
    opened.append(http)
    return WallboxClient(
        DEMO_EMAIL,
        DEMO_PASSWORD,
        api_url=SIM_URL,
        auth_url=SIM_URL,
        http_client=http,
        clock=clock,
        budget=RequestBudget.unlimited_budget(clock),
        token_store=MemoryTokenStore(),
    )


def _prepare(sim: WallboxSimulator, clock: FixedClock, how: str) -> int:
    """A charger of the demo account in the state the action needs (set on the simulator)."""
    ids = sim.charger_ids(DEMO_EMAIL)
    if how in ("charging", "paused"):
        for _ in range(2000):
            charging = [c for c in ids if sim.view(c).status_id in CHARGING_CODES]
            if charging:
                break
            clock.advance(600)
        else:
            pytest.fail("no charger of seed 1 ever charges")
        cid = charging[0]
        if how == "paused":
            session = sim.current_session(cid)
            assert session is not None
            sim.state(cid).change(clock.now(), paused_session=session.id)
            assert sim.view(cid).status_id in PAUSED_CODES
        return cid
    if how == "locked":
        sim.state(ids[0]).change(clock.now(), locked=True)
        return ids[0]
    if how == "update":
        outdated = [c for c in ids if sim.view(c).software()["updateAvailable"]]
        assert outdated, "seed 1 should give the demo account a charger with an update"
        return outdated[0]
    if how == "eco":
        eco = [c for c in ids if sim.chargers[c].model.has_ecosmart]
        assert eco, "seed 1 should give the demo account an Eco-Smart charger"
        return eco[0]
    return ids[0]


def _sent(sim: WallboxSimulator, write: Write, cid: int) -> list[int]:
    path = write.path.format(cid=cid)
    return [
        r.status
        for r in sim.request_log.get(DEMO_EMAIL, [])
        if r.method == write.method and r.path == path
    ]


@pytest.mark.parametrize(("kind", "status"), FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize("name", list(WRITES))
async def test_one_write_per_action_under_a_fault_on_the_write(
    clock: FixedClock, http: list[httpx.AsyncClient], name: str, kind: str, status: int | None
) -> None:
    write = WRITES[name]
    sim = _sim(clock, kind, status, only_writes=True)
    cid = _prepare(sim, clock, write.prepare)
    client = _client(sim, clock, http)
    await client.authenticate()
    try:
        await write.send(client, str(cid))
        outcome = "ok"
    except WallboxWriteUnconfirmedError:
        outcome = "unconfirmed"

    sent = _sent(sim, write, cid)
    path = write.path.format(cid=cid)
    assert sim.applied_writes.count((write.method, path)) == 1  # it acted exactly once
    assert write.took_effect(sim, cid)
    refused_before_acting = kind == "server_error" and status == 503
    assert len(sent) == (2 if refused_before_acting else 1), sent
    if refused_before_acting:
        assert sent == [503, 200]
    # A reply that may hide the outcome is answered with one read-back, never a re-send.
    reply_lost = (kind == "drop" or (kind == "server_error" and status != 503)) or (
        kind in PAYLOAD_FAULTS
        and name not in REPLY_IGNORED
        # A reply without its envelope key is still read: the schedules reply is undocumented
        # (trusted), and the flat config still carries the price and the Power Boost limit.
        and not (name in TOLERATES_MISSING_KEY and kind == "missing_key")
    )
    reads_after = [
        r for r in sim.request_log[DEMO_EMAIL] if r.method == "GET" and r.path != "/users/signin"
    ]
    expected_reads = 1 if reply_lost and write.confirmable else 0
    assert len(reads_after) == expected_reads
    assert outcome == ("unconfirmed" if reply_lost and not write.confirmable else "ok")


TOLERATES_MISSING_KEY = frozenset({"schedules", "energy_cost", "power_boost"})
# Remote actions: chargebook does not read their (undocumented) reply body at all.
REPLY_IGNORED = frozenset(
    {"pause", "resume", "resume_schedule", "restart", "update_firmware", "eco_smart"}
)


@pytest.mark.parametrize(("kind", "status"), FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize("name", ["lock", "current", "pause", "energy_cost", "schedules"])
async def test_never_two_writes_that_may_act_when_every_request_fails(
    clock: FixedClock, http: list[httpx.AsyncClient], name: str, kind: str, status: int | None
) -> None:
    """Faults on every request, the read-back too: at most one write acts, and only a 503
    (nothing done) is ever sent again; the user gets a clear error or success, never both."""
    write = WRITES[name]
    sim = _sim(clock, kind, status, only_writes=False)
    cid = _prepare(sim, clock, write.prepare)
    client = _client(sim, clock, http)
    await client.authenticate()
    error: WallboxError | None = None
    try:
        await write.send(client, str(cid))
    except WallboxWriteUnconfirmedError as exc:
        error = exc
    except WallboxConnectionError as exc:  # only 503s all the way: given up after retries
        error = exc
    succeeded = error is None
    if isinstance(error, WallboxConnectionError):
        assert (kind, error.status) == ("server_error", 503)
    sent = _sent(sim, write, cid)
    acted = sim.applied_writes.count((write.method, write.path.format(cid=cid)))
    assert acted <= 1
    assert acted == 1 or not succeeded
    may_have_acted = [s for s in sent if s != 503]
    assert len(may_have_acted) <= 1, sent  # never a second send after one that may have acted
    if succeeded:
        assert write.took_effect(sim, cid)


async def test_a_write_that_timed_out_after_sending_is_read_back_not_resent(
    clock: FixedClock, http: list[httpx.AsyncClient]
) -> None:
    """A read timeout (the request went out, no answer came) on a real socket's terms."""
    sim = WallboxSimulator(SimulatorConfig(partner_mode=True, days=5), clock=clock)
    cid = sim.charger_ids(DEMO_EMAIL)[0]
    calls: list[str] = []

    class TimeoutAfterSending(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self._inner = httpx.ASGITransport(app=sim.app)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self._inner.handle_async_request(request)
            calls.append(request.method)
            if request.method == "PUT":  # the server acted; its answer never arrives
                raise httpx.ReadTimeout("no answer", request=request)
            return response

    transport = httpx.AsyncClient(transport=TimeoutAfterSending(), base_url=SIM_URL)
    http.append(transport)
    client = WallboxClient(
        DEMO_EMAIL,
        DEMO_PASSWORD,
        api_url=SIM_URL,
        auth_url=SIM_URL,
        http_client=transport,
        clock=clock,
        budget=RequestBudget.unlimited_budget(clock),
        token_store=MemoryTokenStore(),
    )
    summary = await client.update_charger(str(cid), locked=True)
    assert summary.locked is True
    assert calls.count("PUT") == 1
    assert calls[-1] == "GET"  # the read-back
    assert sim.applied_writes == [("PUT", f"/v2/charger/{cid}")]


def test_an_unconfirmed_write_is_neither_connection_trouble_nor_the_users_fault() -> None:
    from chargebook.cli.errors import EXIT_OTHER, exit_code_for
    from chargebook.web.errors import status_for

    error = WallboxWriteUnconfirmedError("sent once, not confirmed", charger_id="1")
    assert error.retryable is False  # nothing re-sends it on its own
    assert exit_code_for(error) == (EXIT_OTHER, "Not confirmed")
    assert status_for(error) == 502


async def test_the_read_back_is_counted_against_the_read_budget(
    clock: FixedClock, http: list[httpx.AsyncClient]
) -> None:
    sim = _sim(clock, "truncated", None, only_writes=True)
    cid = str(sim.charger_ids(DEMO_EMAIL)[0])
    client = _client(sim, clock, http)
    client.budget = RequestBudget(reads_per_minute=1, writes_per_minute=5, clock=clock)
    await client.get_status(cid)  # the minute's only read
    before = clock.slept_seconds
    summary = await client.update_charger(cid, locked=True)  # reply garbled: read back
    assert summary.locked is True
    assert clock.slept_seconds - before >= 55  # the read-back waited for the read budget
    assert sim.applied_writes == [("PUT", f"/v2/charger/{cid}")]
