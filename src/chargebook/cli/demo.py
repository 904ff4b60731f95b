"""`chargebook demo`: the platform on its embedded defaults, end to end, in one command.

Besides the Wallbox account, an OCPP charger registered to the demo owner charges once
through chargebook's own central system (on a free loopback port), driven by the OCPP charge
point simulator; its session lands in the same book and gets its own chart. Smart charging is
shown on recorded real prices replayed around the demo clock's today (`cli/demo_smart.py`),
so the tour needs no network.

The Wallbox Cloud simulator runs in-process (its HTTP API served to the real client through
httpx's ASGI transport), the book is a SQLite file in `<data dir>/demo`, and time is a
FixedClock so the demo can follow a whole charging session in a few seconds instead of hours.
Nothing here is faked beyond the cloud itself: the client, the sync engine, the recorder, the
database and the charts are the ones `chargebook sync` and `chargebook serve` use.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import typer
from rich.console import Console

from chargebook.account_sources import build_sources, close_sources, connect_account, sync_config
from chargebook.book.service import BookService
from chargebook.brand_connectors import BRAND_NAMES, build_brand_sources
from chargebook.central_system import CentralSystem
from chargebook.cli.chart import write_session_chart
from chargebook.cli.console import plain_console
from chargebook.cli.demo_smart import show_smart_charging
from chargebook.cli.errors import cli_errors
from chargebook.cli.sessions import book_sessions_table
from chargebook.cli.sync import summary_table
from chargebook.cli.wallbox_render import chargers_table, status_table
from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox, load_secret_box
from chargebook.db import (
    ChargerRepository,
    Database,
    SessionRepository,
    UserRepository,
    open_database,
)
from chargebook.db.book.store import book_opener
from chargebook.demo.brands import BRAND_HISTORY_DAYS, DemoBrands
from chargebook.demo.ocpp import (
    DemoTransaction,
    charge_once,
    demo_url,
    register_demo_charge_point,
)
from chargebook.domain.book import SessionState
from chargebook.errors import ConfigurationError
from chargebook.settings import Settings, load_settings
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.sync import SyncEngine, SyncReport
from chargebook.sync.accounts import AccountSource
from chargebook.sync.recorder import Recorder

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the simulator's public demo account
SIMULATOR_ORIGIN = "http://wallbox-simulator.invalid"
# Slow enough to draw a smooth curve, fast enough for a demo: one reading per 2 simulated min.
RECORD_STEP = timedelta(minutes=2)


@dataclass(frozen=True)
class DemoWorld:
    """What the demo runs on: a simulator, a fixed clock and a fresh book."""

    simulator: WallboxSimulator
    clock: FixedClock
    settings: Settings
    database: Database
    transport: httpx.AsyncBaseTransport
    brands: DemoBrands  # one Easee, Zaptec and Peblar charger on their simulators


def build_world(data_dir: Path, *, seed: int, days: int, start: datetime) -> DemoWorld:
    """A fresh demo book in `data_dir` next to a simulator whose clock starts at `start`."""
    clock = FixedClock(start)
    # Partner mode lifts Wallbox's 3-reads-a-minute budget so the backfill takes seconds.
    config = SimulatorConfig(
        seed=seed, accounts=1, chargers_per_account=2, days=days, partner_mode=True
    )
    simulator = WallboxSimulator(config, clock=clock)
    settings = Settings(
        data_dir=data_dir,
        database_url=None,
        wallbox_api_url=SIMULATOR_ORIGIN,
        wallbox_auth_url=SIMULATOR_ORIGIN,
        wallbox_partner_mode=True,
    )
    transport = httpx.ASGITransport(app=simulator.app)
    brands = DemoBrands.build(clock, seed=seed, days=min(days, BRAND_HISTORY_DAYS))
    return DemoWorld(simulator, clock, settings, open_database(settings), transport, brands)


@dataclass(frozen=True)
class DemoCharts:
    """Charts the demo drew: the live-recorded Wallbox session and the OCPP session."""

    wallbox: Path
    ocpp: Path


async def run_demo(
    world: DemoWorld, console: Console, charts_dir: Path, *, ocpp_version: str = "1.6"
) -> DemoCharts:
    """Connect the demo account, show it, sync it, record a live session, let an OCPP charger
    (speaking `ocpp_version`) charge once through the local central system, and chart both
    sessions.
    """
    box = load_secret_box(world.settings)
    await connect_account(
        world.settings, world.database, box, world.clock,
        email=DEMO_EMAIL, password=DEMO_PASSWORD, transport=world.transport,
    )  # fmt: skip
    sources = build_sources(
        world.settings, world.database, box, world.clock, transport=world.transport
    )
    try:
        source = sources[0]
        chargers = await source.cloud.list_chargers()
        console.print(chargers_table(chargers))
        for charger in chargers:
            console.print(status_table(await source.cloud.get_status(charger.external_id)))
        console.rule("Backfilling the full history into the book")
        console.print(summary_table(await _sync(world, sources)))
        console.rule("Recording the next charging session live")
        recorded_id, readings = await _record_next_session(
            world, source, int(chargers[0].external_id)
        )
        console.print(f"recorded {readings} readings of power and energy")
        console.print(summary_table(await _sync(world, sources)))
    finally:
        await close_sources(sources)
    console.rule("Easee, Zaptec and Peblar beside the Wallbox")
    await _connect_brands(world, console, box)
    console.rule("An OCPP charger on chargebook's own central system")
    ocpp = await _charge_over_ocpp(world, console, ocpp_version)
    console.rule("Smart charging on recorded prices")
    await show_smart_charging(world.clock, console)
    return _show_book(world, console, charts_dir, recorded_id, ocpp)


async def _connect_brands(world: DemoWorld, console: Console, box: SecretBox) -> None:
    """Connect the owner's Easee, Zaptec and Peblar accounts (their simulators) and sync their
    history with the same engine as the Wallbox; one line per charger."""
    await world.brands.connect(
        world.settings, world.database, box, world.clock, owner_email=DEMO_EMAIL
    )
    sources = build_brand_sources(
        world.settings, world.database, box, world.clock, registry=world.brands.registry
    )
    try:
        report = await _sync(world, sources)
    finally:
        await close_sources(sources)
    with world.database.session() as session:
        chargers = ChargerRepository(session, world.clock).list()
        for stored in chargers:
            charger = stored.charger
            if charger.source not in BRAND_NAMES:
                continue
            booked = SessionRepository(session).count(charger_id=stored.id)
            mid = ", MID meter" if charger.mid.present else ""
            console.print(
                f"{BRAND_NAMES[charger.source]}: {charger.name} ({charger.model}),"
                f" {booked} sessions{mid}"
            )
    errors = [item for item in report.accounts if item.error]
    for item in errors:
        console.print(f"{item.label}: {item.error}")


async def _charge_over_ocpp(
    world: DemoWorld, console: Console, ocpp_version: str
) -> DemoTransaction:
    """Register an OCPP charger for the demo owner, serve OCPP on a free loopback port and
    let one simulated charge point charge once (boot, start, MeterValues, stop)."""
    with world.database.session() as session:
        owner = UserRepository(session, world.clock).get_by_email(DEMO_EMAIL)
    assert owner is not None  # connect_account made the owner
    password = register_demo_charge_point(world.database, world.clock, owner_user_id=owner.id)
    # The charger's own fixed clock: its 40 minutes of charging pass in no real time.
    charger_clock = FixedClock(world.clock.now())
    async with CentralSystem(world.settings, world.database, clock=world.clock) as central:
        port = await central.start("127.0.0.1", 0)
        console.print(f"OCPP central system on ws://127.0.0.1:{port}/<charge point id>")
        cp, done = await charge_once(
            demo_url(port), password, charger_clock, ocpp_version=ocpp_version
        )
        console.print(f"the charger spoke OCPP {ocpp_version}")
        await cp.close()
    console.print(
        f"{done.charge_point_id}: transaction {done.transaction_id}, {done.meter_values}"
        f" MeterValues, meter {done.meter_start_wh} -> {done.meter_stop_wh} Wh"
    )
    return done


async def _sync(world: DemoWorld, sources: list[AccountSource]) -> SyncReport:
    config = sync_config(world.settings)  # the same steps as `serve` and the worker
    engine = SyncEngine(book_opener(world.database, world.clock), world.clock, config)
    return await engine.sync_accounts(sources)


async def _record_next_session(
    world: DemoWorld, source: AccountSource, charger_id: int
) -> tuple[str, int]:
    """Fast-forward through the charger's next session, sampling it as the recorder does.

    Returns the session's external id and the number of readings taken.
    """
    planned = world.simulator.next_session(charger_id)
    recorder = Recorder(
        book_opener(world.database, world.clock), world.clock, reads_per_minute=None
    )
    world.clock.set(planned.start - RECORD_STEP)
    readings = 0
    while world.clock.now() <= planned.end + RECORD_STEP:
        # At the recorder's own cadence: often while the car charges, rarely while idle.
        delay_s = await recorder.poll_account(source)
        readings += 1
        world.clock.advance(delay_s)
    return str(planned.id), readings


def _show_book(
    world: DemoWorld, console: Console, charts_dir: Path, recorded_id: str, ocpp: DemoTransaction
) -> DemoCharts:
    # The charger's newest session (1.6: "<id>:<transactionId>"; 2.0.1: the book's own
    # transaction number, the station's UUID being in the session's evidence).
    ocpp_prefix = f"{ocpp.charge_point_id}:"
    with world.database.session() as session:
        book = BookService(session, None)  # the whole book, as `chargebook sessions`
        recent = book.sessions(state=None, limit=10)
        latest = book.sessions(state=None, limit=20)
        recorded = next(s for s in latest if s.external_id == recorded_id)
        charged = next(s for s in latest if s.external_id.startswith(ocpp_prefix))
        total = book.count_sessions()
        quarantined = book.count_sessions(state=SessionState.QUARANTINED)
    console.print(book_sessions_table(recent, f"Recent sessions ({total} in the book)"))
    if quarantined:
        console.print(
            f"{quarantined} sessions are quarantined: `chargebook sessions --quarantined`"
        )
    return DemoCharts(
        wallbox=write_session_chart(
            world.database, recorded.id, charts_dir / f"session-{recorded_id}.png"
        ),
        ocpp=write_session_chart(
            world.database, charged.id, charts_dir / f"ocpp-session-{charged.id}.png"
        ),
    )


def demo(
    seed: int = typer.Option(1, "--seed", help="Simulator seed (same seed, same fleet)."),
    days: int = typer.Option(120, "--days", help="Days of history in the simulated cloud."),
    keep: bool = typer.Option(False, "--keep", help="Keep the previous demo book."),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Afterwards, run the web app on the demo world."
    ),
    port: int = typer.Option(
        8000, "--port", min=1, max=65535, help="Port of the demo web app (127.0.0.1)."
    ),
    ocpp_version: str = typer.Option(
        "1.6", "--ocpp-version", help="The demo OCPP charger speaks 1.6 (OCPP 1.6J) or 2.0.1."
    ),
) -> None:
    """Run the platform end to end against the built-in Wallbox simulator."""
    with cli_errors():
        # Before anything else: a taken port would only show after the whole tour, with the
        # logins pointing at someone else's server. The socket stays ours until uvicorn serves.
        if ocpp_version not in ("1.6", "2.0.1"):
            raise typer.BadParameter("1.6 or 2.0.1", param_hint="--ocpp-version")
        web_socket = reserve_port(port) if serve else None
    try:
        _tour(
            seed=seed,
            days=days,
            keep=keep,
            web_socket=web_socket,
            port=port,
            ocpp_version=ocpp_version,
        )
    finally:
        if web_socket is not None:
            web_socket.close()


def reserve_port(port: int, host: str = "127.0.0.1") -> socket.socket:
    """A socket bound to `host:port` for the web app (options as uvicorn sets them).

    Raises:
        ConfigurationError: the port is taken (or not ours to use), naming it and the way to
            choose another.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As uvicorn does: a restarted demo may reuse the port its last connections linger on.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ConfigurationError(
            f"port {port} on {host} is not free ({error.strerror or error}); another program"
            f" is using it. Choose another: `chargebook demo --port 8010` or"
            f" `make demo PORT=8010`"
        ) from None
    return sock


def _tour(
    *,
    seed: int,
    days: int,
    keep: bool,
    web_socket: socket.socket | None,
    port: int,
    ocpp_version: str = "1.6",
) -> None:
    settings = load_settings()
    demo_dir = settings.data_dir / "demo"
    if not keep and demo_dir.exists():
        shutil.rmtree(demo_dir)  # only the demo's own folder, never the real book
    console = plain_console()
    console.rule("chargebook demo")
    console.print(f"simulated myWallbox account: {DEMO_EMAIL} / {DEMO_PASSWORD}")
    start = datetime.now(UTC).replace(microsecond=0)
    with cli_errors():
        world = build_world(demo_dir, seed=seed, days=days, start=start)
        try:
            charts = asyncio.run(
                run_demo(world, console, demo_dir / "charts", ocpp_version=ocpp_version)
            )
        finally:
            world.database.dispose()
    console.rule("Done")
    console.print(f"chart of the recorded Wallbox session: {charts.wallbox}", soft_wrap=True)
    console.print(f"chart of the OCPP session: {charts.ocpp}", soft_wrap=True)
    console.print(f"the demo book: {demo_dir} — explore it with, for example:")
    # Commands are printed whole, never wrapped, so they can be copied from any terminal.
    console.print(f"  CHARGEBOOK_DATA_DIR={demo_dir} .venv/bin/chargebook sessions", soft_wrap=True)
    console.print(
        f"  CHARGEBOOK_DATA_DIR={demo_dir} .venv/bin/chargebook chart --monthly -o m.png",
        soft_wrap=True,
    )
    if web_socket is not None:
        _serve_web(
            settings.data_dir / "demo-web",
            seed=seed, days=days, sock=web_socket, port=port, console=console,
            ocpp_version=ocpp_version,
        )  # fmt: skip


def _serve_web(
    data_dir: Path,
    *,
    seed: int,
    days: int,
    sock: socket.socket,
    port: int,
    console: Console,
    ocpp_version: str,
) -> None:
    """The web app with its own simulator, a demo owner and operator, until Ctrl-C."""
    import uvicorn  # only the serving demo needs it

    from chargebook.demo.web import OPERATOR, OWNER, demo_app
    from chargebook.web.heap import freeze_startup_heap

    if data_dir.exists():
        shutil.rmtree(data_dir)  # the web demo's own folder only
    app = demo_app(data_dir=data_dir, seed=seed, days=days, ocpp_version=ocpp_version)
    freeze_startup_heap()  # short GC pauses while serving (web/heap.py)
    console.rule("Web app")
    console.print(f"open http://127.0.0.1:{port}  (Ctrl-C stops it)", soft_wrap=True)
    console.print(f"  owner:    {OWNER.email} / {OWNER.password}")
    console.print(f"  operator: {OPERATOR.email} / {OPERATOR.password}")
    console.print("  ERE year (demo data): /credits, /operator/batches, /operator/payouts")
    # On the socket reserved before the tour, so nothing can take the port in between.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])
