"""Map chargebook errors to one clear line on stderr and a distinct exit code.

Exit codes (scripts may rely on them):

    0  success
    1  any other chargebook error (e.g. charger not found, unsafe action refused)
    2  wrong usage (Typer/Click: unknown option, bad argument)
    3  wrong credentials: the myWallbox (Easee, Zaptec) e-mail or password, or a Peblar's API
       token, was refused, or the stored sign-in expired and no password was given
    4  insufficient rights: the account may read the charger but not change it
    5  rate limited: the cloud throttled the account; try again in a minute
    6  connection trouble: the cloud (or a Peblar on the home network) could not be reached
       or failed (timeout, 5xx)
    7  bad payload: the cloud answered something chargebook cannot understand
    8  configuration error: settings, data directory or secret key are missing or wrong

Use `cli_errors()` as a context manager or `@handle_errors` on a command. Messages come from
`ChargebookError.message`, which never contains secrets; tracebacks are not shown.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from chargebook.cli.console import plain_console
from chargebook.errors import (
    ApiPayloadError,
    ApiRateLimitedError,
    ApiUnreachableError,
    ChargebookError,
    ChargerApiError,
    ConfigurationError,
    SignInRefusedError,
    WriteUnconfirmedError,
)
from chargebook.wallbox.exceptions import (
    WallboxAuthenticationError,
    WallboxConnectionError,
    WallboxInsufficientRightsError,
    WallboxPayloadError,
    WallboxRateLimitedError,
    WallboxWriteUnconfirmedError,
)

EXIT_OTHER = 1
EXIT_CREDENTIALS = 3
EXIT_RIGHTS = 4
EXIT_RATE_LIMITED = 5
EXIT_CONNECTION = 6
EXIT_PAYLOAD = 7
EXIT_CONFIGURATION = 8

# First match wins; more specific classes first.
EXIT_CODES: tuple[tuple[type[ChargebookError], int, str], ...] = (
    (WallboxAuthenticationError, EXIT_CREDENTIALS, "Sign-in failed"),
    (WallboxInsufficientRightsError, EXIT_RIGHTS, "Not allowed"),
    (WallboxRateLimitedError, EXIT_RATE_LIMITED, "Rate limited"),
    # Sent once, outcome not confirmed: not "connection trouble", whose hint says retry.
    (WallboxWriteUnconfirmedError, EXIT_OTHER, "Not confirmed"),
    (WallboxConnectionError, EXIT_CONNECTION, "Connection trouble"),
    (WallboxPayloadError, EXIT_PAYLOAD, "Unexpected answer"),
    # The other brands' one family (issue 19), mapped like the Wallbox's.
    (SignInRefusedError, EXIT_CREDENTIALS, "Sign-in failed"),
    (ApiRateLimitedError, EXIT_RATE_LIMITED, "Rate limited"),
    (WriteUnconfirmedError, EXIT_OTHER, "Not confirmed"),
    (ApiUnreachableError, EXIT_CONNECTION, "Connection trouble"),
    (ApiPayloadError, EXIT_PAYLOAD, "Unexpected answer"),
    (ConfigurationError, EXIT_CONFIGURATION, "Configuration error"),
)

_HINTS: dict[int, str] = {
    EXIT_CREDENTIALS: "check the e-mail and password, then run `chargebook wallbox login`",
    EXIT_RATE_LIMITED: "Wallbox allows about 3 reads a minute; wait a minute and retry",
    EXIT_CONNECTION: "check the network or CHARGEBOOK_WALLBOX_API_URL; retrying may help",
    EXIT_PAYLOAD: "retrying usually helps",
}

# The same codes' hints for another brand ({brand}: its name as the error carries it).
_BRAND_HINTS: dict[int, str] = {
    EXIT_CREDENTIALS: (
        "check the login {brand} gave you, then `chargebook accounts add --brand` again"
    ),
    EXIT_RATE_LIMITED: "{brand} limits how often chargebook may ask; wait and retry",
    EXIT_CONNECTION: "check the network (a Peblar: its address on your network); retrying may help",
    EXIT_PAYLOAD: "retrying usually helps",
}

P = ParamSpec("P")
R = TypeVar("R")


def exit_code_for(error: ChargebookError) -> tuple[int, str]:
    """The exit code and a short label for `error`."""
    for cls, code, label in EXIT_CODES:
        if isinstance(error, cls):
            return code, label
    return EXIT_OTHER, "Error"


def settings_problem(error: ValidationError) -> ConfigurationError:
    """A settings ValidationError as a ConfigurationError naming each CHARGEBOOK_* variable
    (never its value: it may be a password)."""
    names = []
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "?"
        names.append(f"CHARGEBOOK_{field.upper()}: {problem['msg']}")
    return ConfigurationError("bad setting " + "; ".join(names))


def report(error: ChargebookError, console: Console | None = None) -> int:
    """Print `error` as one line on stderr; the exit code it maps to."""
    code, label = exit_code_for(error)
    hint = _HINTS.get(code)
    if isinstance(error, ChargerApiError):
        hint = _brand_hint(code, error)
    if isinstance(error, WallboxConnectionError) and error.signing_in:
        hint = "check the network or CHARGEBOOK_WALLBOX_AUTH_URL; retrying may help"
    line = f"{label}: {error.message}" + (f" ({hint})" if hint else "")
    # soft_wrap: a suggested command in the message stays on one line, copyable.
    (console or plain_console(stderr=True)).print(
        line, markup=False, highlight=False, soft_wrap=True
    )
    return code


def _brand_hint(code: int, error: ChargerApiError) -> str | None:
    hint = _BRAND_HINTS.get(code)
    if hint is None:
        return None
    hint = hint.format(brand=error.brand)
    if isinstance(error, ApiRateLimitedError) and error.retry_after_s is not None:
        hint = f"{hint} (in {error.retry_after_s:.0f} s)"
    return hint


@contextmanager
def cli_errors(console: Console | None = None) -> Iterator[None]:
    """Turn a ChargebookError raised inside into a message on stderr and `typer.Exit`."""
    try:
        yield
    except ChargebookError as error:
        raise typer.Exit(report(error, console)) from None
    except ValidationError as error:
        if error.title != "Settings":  # a model's own validation is a bug, not a setting
            raise
        raise typer.Exit(report(settings_problem(error), console)) from None


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of `cli_errors` for Typer commands."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with cli_errors():
            return func(*args, **kwargs)

    return wrapper
