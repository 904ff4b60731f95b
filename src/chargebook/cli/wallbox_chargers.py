"""Which charger a `chargebook wallbox` command acts on, and what it says when it cannot tell.

The Wallbox id (`chargebook wallbox chargers`) is what the cloud knows. The book's id
(`chargebook chargers list`) works too: only when the cloud does not know the id given is the
book asked, so a Wallbox id is never taken for a book id. A 404 acted on nothing, so acting
again with the book's charger is safe even for a write.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from chargebook.clock import SystemClock
from chargebook.domain.models import Charger, ChargerSource
from chargebook.errors import ChargebookError, ConflictError, NotFoundError
from chargebook.settings import Settings
from chargebook.wallbox import WallboxClient
from chargebook.wallbox.exceptions import WallboxConnectionError, WallboxNotFoundError

T = TypeVar("T")


def _listed(chargers: list[Charger]) -> str:
    return ", ".join(f"{c.external_id} ({c.name})" if c.name else c.external_id for c in chargers)


async def only_charger(client: WallboxClient) -> str:
    """The account's one charger; a usage error naming them when it has several or none."""
    chargers = await client.list_chargers()
    if len(chargers) == 1:
        return chargers[0].external_id
    raise typer.BadParameter(
        f"this account has {len(chargers)} chargers ({_listed(chargers) or 'none'}); name one"
    )


def book_wallbox_id(reference: str) -> str | None:
    """The Wallbox id of the book's charger `reference` (its book id), or None."""
    from chargebook.cli.refs import resolve_charger  # the book only on this path
    from chargebook.db import open_database
    from chargebook.settings import load_settings

    try:
        database = open_database(load_settings())
    except ChargebookError:
        return None  # no book here: the Wallbox id is the only kind
    try:
        with database.session() as session:
            stored = resolve_charger(session, reference, source=ChargerSource.WALLBOX_CLOUD)
    except ChargebookError:
        return None
    finally:
        database.dispose()
    return stored.charger.external_id


async def on_charger(
    client: WallboxClient, given: str | None, act: Callable[[str], Awaitable[T]]
) -> tuple[str, T]:
    """Run `act` on the charger `given` names (the account's only one when None); the
    Wallbox id it ran on and its result.

    Raises:
        NotFoundError: neither the cloud nor the book knows `given`; lists the account's.
    """
    charger_id = given.strip() if given else await only_charger(client)
    try:
        return charger_id, await act(charger_id)
    except WallboxNotFoundError:
        if given is None:
            raise
    chargers = await client.list_chargers()
    known = {c.external_id for c in chargers}
    mapped = book_wallbox_id(charger_id)
    if mapped is not None and mapped in known and charger_id not in known:
        return mapped, await act(mapped)
    raise NotFoundError(
        f"this myWallbox account has no charger {charger_id!r}; its chargers are: "
        f"{_listed(chargers) or 'none'} (see `chargebook wallbox chargers`)"
    ) from None


def connect_to_book(settings: Settings, email: str, password: str) -> str:
    """Connect the account `wallbox login` just proved to the book (as `accounts add` does),
    or give a connected one the new password: one login serves `wallbox` and `sync`. What
    happened, as a line to print."""
    import asyncio
    from dataclasses import asdict

    from chargebook.account_sources import connect_account
    from chargebook.book_keys import open_secret_box
    from chargebook.db import WallboxAccountRepository, open_database
    from chargebook.wallbox import EncryptedFileTokenStore

    clock = SystemClock()
    signed_in = EncryptedFileTokenStore.from_settings(settings).load(email)  # no 2nd sign-in
    database = open_database(settings)
    try:
        box = open_secret_box(settings, database)
        try:
            account = asyncio.run(
                connect_account(
                    settings,
                    database,
                    box,
                    clock,
                    email=email,
                    password=password,
                    signed_in=signed_in,
                )
            )
        except ConflictError:  # connected before: keep its password current
            with database.transaction() as session:
                accounts = WallboxAccountRepository(session, box, clock)
                found = accounts.find_by_email(email)
                if found is None:  # held by another user of this book: theirs to change
                    raise
                accounts.set_password(found.id, password)
                if signed_in is not None:  # the sign-in just made: sync needs no other
                    accounts.save_tokens(found.id, asdict(signed_in))
            return (
                f"Already in the book as account {found.id} (password refreshed);"
                " `chargebook sync` uses it."
            )
    finally:
        database.dispose()
    return f"Connected to the book as account {account.id}: run `chargebook sync` for its sessions."


def unreachable(error: WallboxConnectionError, started: float, timeout_s: float) -> str:
    """The message for a cloud that could not be reached: the URL tried (the sign-in
    service's or the data API's), how often and how long, and the timeout of each try."""
    elapsed = time.monotonic() - started
    tries = "1 try" if error.tries == 1 else f"{error.tries} tries"
    return (
        f"{'signing in: ' if error.signing_in else ''}{error.message}; gave up after {tries}"
        f" in {elapsed:.0f} s (each try waits at most {timeout_s:g} s:"
        " CHARGEBOOK_WALLBOX_TIMEOUT_S; retries: CHARGEBOOK_WALLBOX_MAX_RETRIES)"
    )
