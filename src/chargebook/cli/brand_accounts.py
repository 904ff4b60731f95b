"""`chargebook accounts add --brand easee|zaptec|peblar` and the brand accounts' table of
`accounts list` (issue 19). The myWallbox account keeps its own path in `cli/sync.py`.

The prompts are the connector's own login labels ("E-mail" and "Password" for a cloud, the
address on the home network and its web password for a Peblar); errors are mapped by
`cli/errors.py` (a refused login exits 3, as for the Wallbox).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import typer
from rich.table import Table
from rich.text import Text

from chargebook.book.service import BOOK_ZONE
from chargebook.book_keys import open_secret_box
from chargebook.brand_connectors import (
    BRAND_NAMES,
    BRAND_SLUGS,
    BrandRegistry,
    connect_brand_account,
    process_registry,
)
from chargebook.cli.console import styled
from chargebook.cli.errors import cli_errors
from chargebook.clock import SystemClock, in_zone
from chargebook.db import open_database
from chargebook.domain.brands import BrandLogin
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import BrandAccount
from chargebook.settings import load_settings


def brand_source(brand: str, registry: BrandRegistry) -> ChargerSource:
    """The source `--brand` names, among the brands this build connects.

    Raises:
        typer.BadParameter: an unknown brand, or one with no connector here (exit 2).
    """
    wanted = brand.strip().lower()
    offered = {BRAND_SLUGS[source]: source for source in registry.sources}
    if wanted not in offered:
        choices = ", ".join(["wallbox", *offered])
        raise typer.BadParameter(f"{brand!r} is not one of: {choices}", param_hint="'--brand'")
    return offered[wanted]


def add_brand_account(
    brand: str,
    *,
    username: str | None,
    secret: str | None,
    owner: str | None,
    registry: BrandRegistry | None = None,
) -> BrandAccount:
    """Prompt for what is missing, sign in once and store the account (see the module)."""
    registry = registry or process_registry()
    source = brand_source(brand, registry)
    connector = registry.connector(source)
    user_label, secret_label = connector.login_labels
    if username is None:
        username = typer.prompt(user_label)
    if secret is None:
        secret = typer.prompt(secret_label, hide_input=True)
    login = BrandLogin(source=source, username=username.strip(), secret=secret)
    settings = load_settings()
    with cli_errors():
        database = open_database(settings)
        try:
            box = open_secret_box(settings, database)
            account = asyncio.run(
                connect_brand_account(
                    settings,
                    database,
                    box,
                    SystemClock(),
                    login=login,
                    owner_email=owner,
                    registry=registry,
                )
            )
        finally:
            database.dispose()
    typer.echo(
        f"connected {connector.name} {account.username} (account {BRAND_SLUGS[source]}-"
        f"{account.id}); run `chargebook sync`"
    )
    return account


def brand_accounts_table(accounts: Sequence[BrandAccount]) -> Table:
    """One row per brand account: id, brand, login, enabled, signed in and the last sync
    (local time, or the last sync's error)."""
    table = Table(title="Other brands' accounts")
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("brand", no_wrap=True)
    table.add_column("login", overflow="fold")
    table.add_column("enabled", no_wrap=True)
    table.add_column("signed in", no_wrap=True)
    table.add_column("last sync (Amsterdam)", overflow="fold")
    for item in accounts:
        synced = in_zone(item.last_synced_at, BOOK_ZONE) if item.last_synced_at else None
        last: str | Text = synced.strftime("%Y-%m-%d %H:%M") if synced else "never"
        if item.last_sync_error:
            last = styled(f"{last}; then failed: {item.last_sync_error}", "red")
        table.add_row(
            f"{BRAND_SLUGS.get(item.source, item.source.value)}-{item.id}",
            BRAND_NAMES.get(item.source, item.source.value),
            item.username,
            "no" if item.disabled else "yes",
            "yes" if item.has_tokens else "no",
            last,
        )
    return table
