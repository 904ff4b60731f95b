"""`chargebook simulator easee`: the Easee Cloud simulator on a port (registered on the
`simulator` group by cli/simulator.py; its own module so each brand's command stays apart)."""

from __future__ import annotations

import typer


def easee(
    port: int = typer.Option(8083, "--port", help="TCP port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    seed: int = typer.Option(1, "--seed", help="Seed of the fleet, sessions and faults."),
    accounts: int = typer.Option(1, "--accounts", help="Number of owner accounts."),
    chargers_per_account: int = typer.Option(2, "--chargers-per-account"),
    days: int = typer.Option(30, "--days", help="Days of session history before now."),
    fault_rate: float = typer.Option(0.0, "--fault-rate", help="Fault probability per request."),
    latency_ms: int = typer.Option(0, "--latency-ms", help="Added latency per request (ms)."),
    unlimited: bool = typer.Option(False, "--unlimited", help="Disable the rate limits."),
    history_per_hour: int = typer.Option(
        10, "--history-per-hour", help="History reads an account may make per hour."
    ),
    token_ttl_s: int = typer.Option(3600, "--token-ttl-s"),
    refresh_token_ttl_s: int = typer.Option(86400, "--refresh-token-ttl-s"),
    bad_session_rate: float = typer.Option(0.0, "--bad-session-rate"),
    short_item_rate: float = typer.Option(
        0.25,
        "--short-item-rate",
        help="Share of history items without actualDurationSeconds (a real 2024 variant).",
    ),
    print_accounts: bool = typer.Option(
        False, "--print-accounts", help="Print accounts and charger ids, then exit."
    ),
) -> None:
    """Serve the Easee Cloud API (api.easee.com paths; pyeasee works against it) with the
    real clock."""
    import uvicorn

    from chargebook.clock import SystemClock
    from chargebook.simulator.easee import EaseeSimulator, SimulatorConfig
    from chargebook.simulator.serve import quiet_simulated_drops

    try:
        config = SimulatorConfig(
            seed=seed,
            accounts=accounts,
            chargers_per_account=chargers_per_account,
            days=days,
            fault_rate=fault_rate,
            latency_ms=latency_ms,
            unlimited=unlimited,
            history_per_hour=history_per_hour,
            token_ttl_s=token_ttl_s,
            refresh_token_ttl_s=refresh_token_ttl_s,
            bad_session_rate=bad_session_rate,
            short_item_rate=short_item_rate,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    sim = EaseeSimulator(config, clock=SystemClock())
    if print_accounts:
        # The simulator's passwords are published test credentials, so printing them is the point.
        for account in sim.accounts:
            ids = ",".join(account.charger_ids)
            typer.echo(f"{account.email}\t{account.password}\t{account.site_id}\t{ids}")
        return
    typer.echo(f"Easee Cloud simulator on http://{host}:{port}")
    typer.echo("first account: demo@example.com / demo-password (--print-accounts lists all)")
    quiet_simulated_drops()
    uvicorn.run(sim.app, host=host, port=port, log_level="warning")
