"""`chargebook simulator ...`: run simulated external systems for demos, tests and benchmarks."""

from __future__ import annotations

import typer

from chargebook.cli.simulator_easee import easee

simulator_app = typer.Typer(
    name="simulator", help="Run simulated external systems.", no_args_is_help=True
)
simulator_app.command("easee")(easee)


@simulator_app.command("wallbox")
def wallbox(
    port: int = typer.Option(8080, "--port", help="TCP port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    seed: int = typer.Option(1, "--seed", help="Seed of the fleet, sessions and faults."),
    accounts: int = typer.Option(1, "--accounts", help="Number of owner accounts."),
    chargers_per_account: int = typer.Option(2, "--chargers-per-account"),
    days: int = typer.Option(30, "--days", help="Days of session history before now."),
    fault_rate: float = typer.Option(0.0, "--fault-rate", help="Fault probability per request."),
    latency_ms: int = typer.Option(0, "--latency-ms", help="Added latency per request (ms)."),
    partner_mode: bool = typer.Option(False, "--partner-mode", help="Disable rate limits."),
    reads_per_minute: int = typer.Option(3, "--reads-per-minute"),
    writes_per_minute: int = typer.Option(5, "--writes-per-minute"),
    token_ttl_s: int = typer.Option(900, "--token-ttl-s"),
    refresh_token_ttl_s: int = typer.Option(7 * 86400, "--refresh-token-ttl-s"),
    bad_session_rate: float = typer.Option(0.0, "--bad-session-rate"),
    variant_rate: float = typer.Option(
        0.25,
        "--variant-rate",
        help="Share of responses in a real-world variant shape (no charging_time, month-reset "
        "resume, ...); 0 for the documented shapes only.",
    ),
    print_accounts: bool = typer.Option(
        False, "--print-accounts", help="Print accounts and charger ids, then exit."
    ),
) -> None:
    """Serve the Wallbox Cloud API (auth and data paths on one origin) with the real clock."""
    import uvicorn

    from chargebook.clock import SystemClock
    from chargebook.simulator.serve import quiet_simulated_drops
    from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

    try:
        config = SimulatorConfig(
            seed=seed,
            accounts=accounts,
            chargers_per_account=chargers_per_account,
            days=days,
            fault_rate=fault_rate,
            latency_ms=latency_ms,
            partner_mode=partner_mode,
            reads_per_minute=reads_per_minute,
            writes_per_minute=writes_per_minute,
            token_ttl_s=token_ttl_s,
            refresh_token_ttl_s=refresh_token_ttl_s,
            bad_session_rate=bad_session_rate,
            variant_rate=variant_rate,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    sim = WallboxSimulator(config, clock=SystemClock())
    if print_accounts:
        # The simulator's passwords are published test credentials, so printing them is the point.
        for account in sim.all_accounts():
            ids = ",".join(str(i) for i in account.charger_ids)
            typer.echo(f"{account.email}\t{account.password}\t{account.profile}\t{ids}")
        return
    typer.echo(f"Wallbox Cloud simulator on http://{host}:{port}")
    typer.echo("first account: demo@example.com / demo-password (--print-accounts lists all)")
    quiet_simulated_drops()
    uvicorn.run(sim.app, host=host, port=port, log_level="warning")


@simulator_app.command("zaptec")
def zaptec(
    port: int = typer.Option(8082, "--port", help="TCP port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    seed: int = typer.Option(1, "--seed", help="Seed of the fleet, sessions and faults."),
    accounts: int = typer.Option(1, "--accounts", help="Number of owner accounts."),
    chargers_per_account: int = typer.Option(
        2, "--chargers-per-account", help="Go, Pro, Go 2, then a Go without MID evidence."
    ),
    days: int = typer.Option(30, "--days", help="Days of session history before now."),
    fault_rate: float = typer.Option(0.0, "--fault-rate", help="Fault probability per request."),
    requests_per_second: int = typer.Option(
        10, "--requests-per-second", help="Zaptec's fair-use limit per account (0: none)."
    ),
    token_ttl_s: int = typer.Option(86399, "--token-ttl-s"),
    bad_session_rate: float = typer.Option(0.0, "--bad-session-rate"),
    variant_rate: float = typer.Option(
        0.2,
        "--variant-rate",
        help="Share of sessions in a real variant shape (SignedSession null or absent, an "
        "OCMF without its end reading); 0 for the full shape only.",
    ),
    print_accounts: bool = typer.Option(
        False, "--print-accounts", help="Print accounts and charger ids, then exit."
    ),
) -> None:
    """Serve the Zaptec cloud API (/oauth/token and /api/...) with the real clock."""
    import uvicorn

    from chargebook.clock import SystemClock
    from chargebook.simulator.serve import quiet_simulated_drops
    from chargebook.simulator.zaptec import ZaptecSimConfig, ZaptecSimulator

    try:
        config = ZaptecSimConfig(
            seed=seed,
            accounts=accounts,
            chargers_per_account=chargers_per_account,
            days=days,
            fault_rate=fault_rate,
            requests_per_second=requests_per_second,
            token_ttl_s=token_ttl_s,
            bad_session_rate=bad_session_rate,
            variant_rate=variant_rate,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    sim = ZaptecSimulator(config, clock=SystemClock())
    if print_accounts:
        # The simulator's passwords are published test credentials, so printing them is the point.
        for account in sim.all_accounts():
            typer.echo(f"{account.email}\t{account.password}\t{','.join(account.charger_ids)}")
        return
    typer.echo(f"Zaptec cloud simulator on http://{host}:{port}")
    typer.echo("first account: demo@example.com / demo-password (--print-accounts lists all)")
    quiet_simulated_drops()
    uvicorn.run(sim.app, host=host, port=port, log_level="warning")


@simulator_app.command("ocpp")
def ocpp(
    url: str = typer.Option(..., "--url", help="ws://HOST:PORT/ID of the central system."),
    count: int = typer.Option(1, "--count", min=1, help="Charge points ID-0001..ID-N."),
    password: str | None = typer.Option(None, "--password", help="Basic-auth secret."),
    wallbox_quirks: bool = typer.Option(False, "--wallbox-quirks", help="Behave like a Pulsar."),
    meter_interval: float = typer.Option(10.0, "--meter-interval", help="MeterValues every S s."),
    time_scale: float = typer.Option(1.0, "--time-scale", help="Simulated seconds per second."),
    sessions: int | None = typer.Option(None, "--sessions", help="Stop after N sessions each."),
    real_variants: float = typer.Option(
        0.0,
        "--real-variants",
        min=0.0,
        max=1.0,
        help="Send each reading the ways real chargers do (spurious 0 register, mixed contexts,"
        " per-phase values, kWh/kW, same-second readings), each with this probability.",
    ),
    ocpp_version: str = typer.Option(
        "1.6",
        "--ocpp-version",
        help="1.6 (OCPP 1.6J) or 2.0.1 (TransactionEvents, subprotocol ocpp2.0.1).",
    ),
) -> None:
    """Run simulated OCPP 1.6J or 2.0.1 charge points (boot, sessions, meter values) until
    Ctrl-C."""
    import asyncio
    import contextlib
    import signal

    from chargebook.simulator.ocpp import (
        ChargePointConfig,
        ScaledClock,
        fleet_urls,
        run_charge_points,
    )

    if ocpp_version not in ("1.6", "2.0.1"):
        raise typer.BadParameter("1.6 or 2.0.1", param_hint="--ocpp-version")
    config = ChargePointConfig(
        password=password,
        wallbox_quirks=wallbox_quirks,
        meter_interval_s=meter_interval,
        real_variants_rate=real_variants,
        ocpp_version=ocpp_version,
    )
    urls = fleet_urls(url, count)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        typer.echo(f"{len(urls)} simulated charge point(s): {urls[0]}{' ...' if count > 1 else ''}")
        await run_charge_points(
            urls,
            config,
            ScaledClock(time_scale),
            stop,
            sessions=sessions,
            ramp_s=min(10, count / 200),
        )

    asyncio.run(main())


@simulator_app.command("peblar")
def peblar(
    port: int = typer.Option(8081, "--port", help="TCP port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    seed: int = typer.Option(1, "--seed", help="Seed of the charger, its sessions and faults."),
    days: int = typer.Option(30, "--days", help="Days of meter log before now."),
    variant: str = typer.Option(
        "home", "--variant", help="home, home_1p, whitelabel or business_eichrecht."
    ),
    fault_rate: float = typer.Option(0.0, "--fault-rate", help="Fault probability per request."),
    bad_session_rate: float = typer.Option(0.0, "--bad-session-rate"),
    requests_per_minute: int = typer.Option(0, "--requests-per-minute", help="0: no throttle."),
    print_login: bool = typer.Option(
        False, "--print-login", help="Print the serial, API token and web password, then exit."
    ),
) -> None:
    """Serve one Peblar charger's web API (/api/v1) and local REST API (/api/wlac/v1)."""
    import uvicorn

    from chargebook.clock import SystemClock
    from chargebook.simulator.peblar import PeblarSimConfig, PeblarSimulator
    from chargebook.simulator.serve import quiet_simulated_drops

    try:
        config = PeblarSimConfig(
            seed=seed,
            days=days,
            variant=variant,
            fault_rate=fault_rate,
            bad_session_rate=bad_session_rate,
            requests_per_minute=requests_per_minute,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    sim = PeblarSimulator(config, clock=SystemClock())
    # The simulator's token and password are published test credentials: printing is the point.
    login = f"{sim.hardware.serial}\t{sim.api_token}\t{config.web_password}"
    if print_login:
        typer.echo(login)
        return
    typer.echo(f"Peblar charger simulator on http://{host}:{port}")
    typer.echo(f"serial, API token, web password: {login}")
    quiet_simulated_drops()
    uvicorn.run(sim.app, host=host, port=port, log_level="warning")
