"""`chargebook serve`: the web app and REST API under uvicorn, with the scheduler and the OCPP
central system in the app's lifespan (see `chargebook.web.lifespan`). SIGTERM and Ctrl-C shut
everything down cleanly: uvicorn ends the lifespan, which stops the jobs and the central system.
"""

from __future__ import annotations

import typer

from chargebook.cli.errors import handle_errors
from chargebook.settings import load_settings


@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port of the web app."),
    proxy_headers: bool = typer.Option(
        False, "--proxy-headers", help="Trust X-Forwarded-* (behind a TLS proxy)."
    ),
) -> None:
    """Run the web app, the REST API, the scheduler and the OCPP central system."""
    import uvicorn  # only this command needs it

    from chargebook.web.app import create_app
    from chargebook.web.heap import freeze_startup_heap

    settings = load_settings()
    app = create_app(settings)
    freeze_startup_heap()  # short GC pauses while serving (web/heap.py)
    typer.echo(f"chargebook on http://{host}:{port} (API docs at /api/docs)")
    if settings.web_run_central_system:
        from chargebook.central_system.csr_signing import CsrSigner
        from chargebook.central_system.tls import (
            PROFILE_NOTICE,
            TransportSecurity,
            listening_notice,
        )

        # A bad TLS or CSR-CA setup stops here with its setting named, before uvicorn starts.
        security = TransportSecurity.from_settings(settings)
        CsrSigner.from_settings(settings)
        typer.echo(listening_notice(settings.ocpp_host, settings.ocpp_port, security))
        typer.echo(PROFILE_NOTICE)
    uvicorn.run(app, host=host, port=port, proxy_headers=proxy_headers, log_level="info")
