"""`chargebook users add|set-password|list` and `chargebook tokens create|list|revoke`.

Passwords are read with a hidden prompt (or `--password-stdin` for scripts), never from an
argument that would land in the shell history. A created token is printed once.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from chargebook.cli import params
from chargebook.cli.console import plain_console
from chargebook.cli.errors import handle_errors
from chargebook.clock import SystemClock
from chargebook.db import UserRepository, open_database
from chargebook.domain.access import ApiScope
from chargebook.domain.users import User, UserRole
from chargebook.errors import NotFoundError
from chargebook.settings import load_settings
from chargebook.web.accounts import AccountService, check_email
from chargebook.web.security import Passwords

users_app = typer.Typer(help="People who sign in to the web app.", no_args_is_help=True)
tokens_app = typer.Typer(help="Personal access tokens for the REST API.", no_args_is_help=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _find_user(service_users: UserRepository, email: str) -> User:
    user = service_users.get_by_email(email)
    if user is None:
        raise NotFoundError(f"no user with e-mail {email.strip().lower()}")
    return user


@users_app.command("add")
@handle_errors
def users_add(
    email: str = typer.Option(..., "--email", help="The user's e-mail address."),
    role: Annotated[UserRole, typer.Option("--role", help="owner or operator.")] = UserRole.OWNER,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password."),
) -> None:
    """Create a user who can sign in (operators are made only this way)."""
    settings = load_settings()
    check_email(email)  # before asking for a password that would be thrown away
    password = _password(password_stdin)
    database = open_database(settings)
    try:
        with database.transaction() as session:
            user = AccountService(session, SystemClock(), Passwords()).sign_up(
                email=email, password=password, role=role
            )
    finally:
        database.dispose()
    plain_console().print(f"created {user.role.value} {user.email} (id {user.id})")


@users_app.command("set-password")
@handle_errors
def users_set_password(
    email: str = typer.Option(..., "--email", help="The user's e-mail address."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password."),
) -> None:
    """Set a password (also for users made by `accounts add`, who have none); signs them out."""
    settings = load_settings()
    password = _password(password_stdin)
    database = open_database(settings)
    try:
        with database.transaction() as session:
            user = AccountService(session, SystemClock(), Passwords()).set_password(
                email=email, password=password
            )
    finally:
        database.dispose()
    plain_console().print(f"password set for {user.email}")


@users_app.command("list")
@handle_errors
def users_list() -> None:
    """Every user, with role."""
    database = open_database(load_settings())
    try:
        with database.session() as session:
            users = UserRepository(session, SystemClock()).list()
    finally:
        database.dispose()
    table = Table("id", "e-mail", "role", "since")
    for user in users:
        table.add_row(str(user.id), user.email, user.role.value, f"{user.created_at:%Y-%m-%d}")
    plain_console().print(table)


@tokens_app.command("create")
@handle_errors
def tokens_create(
    scope: Annotated[list[ApiScope], typer.Option("--scope", help="Repeat for several scopes.")],
    email: str = typer.Option(..., "--email", help="Whose token."),
    name: str = typer.Option("cli", "--name", help="A label to recognise the token by."),
) -> None:
    """Create a personal access token and print it once."""
    clock = SystemClock()
    database = open_database(load_settings())
    try:
        with database.transaction() as session:
            user = _find_user(UserRepository(session, clock), email)
            record, token = AccountService(session, clock, Passwords()).create_token(
                user, name=name, scopes=scope
            )
    finally:
        database.dispose()
    console = plain_console(stderr=True)
    console.print(f"token {record.id} for {user.email}: {' '.join(sorted(record.scopes))}")
    console.print("store it now; chargebook keeps only its hash and cannot show it again:")
    typer.echo(token)  # stdout alone, so scripts can capture it


@tokens_app.command("list")
@handle_errors
def tokens_list(email: str = typer.Option(..., "--email", help="Whose tokens.")) -> None:
    """A user's tokens (never the tokens themselves)."""
    clock = SystemClock()
    database = open_database(load_settings())
    try:
        with database.session() as session:
            user = _find_user(UserRepository(session, clock), email)
            tokens = AccountService(session, clock, Passwords()).list_tokens(user)
    finally:
        database.dispose()
    table = Table("id", "name", "starts with", "scopes", "created", "revoked")
    for token in tokens:
        table.add_row(
            str(token.id),
            token.name,
            token.token_prefix + "…",
            " ".join(sorted(token.scopes)),
            f"{token.created_at:%Y-%m-%d %H:%M}",
            f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "",
        )
    plain_console().print(table)


@tokens_app.command("revoke")
@handle_errors
def tokens_revoke(
    email: str = typer.Option(..., "--email", help="Whose token."),
    token_id: int = typer.Argument(
        ..., callback=params.book_id, help="The token's id (see `tokens list`)."
    ),
) -> None:
    """Revoke a token: it stops working at once."""
    clock = SystemClock()
    database = open_database(load_settings())
    try:
        with database.transaction() as session:
            user = _find_user(UserRepository(session, clock), email)
            AccountService(session, clock, Passwords()).revoke_token(user, token_id)
    finally:
        database.dispose()
    plain_console().print(f"token {token_id} revoked")


__all__ = ["tokens_app", "users_app"]
