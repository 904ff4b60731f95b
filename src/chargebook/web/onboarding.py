"""The connect wizard's work: a myWallbox sign-in checked live, the account's chargers in the
book with their owner, and OCPP charge points registered with a secret shown once.

Errors of the Wallbox Cloud are turned into `ConnectFailure`s that say what the owner can do:
a wrong password, an account that only signs in with Google or Apple (the API has no SSO),
rate limiting, or a cloud that cannot be reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from chargebook.account_sources import build_sources, close_sources, connect_account
from chargebook.db import ChargerRepository, WallboxAccountRepository
from chargebook.domain.access import Viewer
from chargebook.domain.ownership import ChargerOwnedByAnotherError
from chargebook.domain.stored import StoredCharger
from chargebook.domain.users import User, WallboxAccount
from chargebook.errors import ChargebookError, ConflictError, NotFoundError
from chargebook.ocpp_registration import (
    InvalidChargePointIdError,
    OcppAddress,
    register_ocpp_charger,
)
from chargebook.wallbox.exceptions import (
    WallboxAuthenticationError,
    WallboxConnectionError,
    WallboxRateLimitedError,
)
from chargebook.web.accounts import check_email
from chargebook.web.context import WebContext
from chargebook.web.errors import InvalidInputError

# Addresses Apple hands out for "Sign in with Apple" ("Hide my e-mail"): such an account has no
# Wallbox password at all.
_APPLE_RELAY = "privaterelay.appleid.com"

SSO_EXPLANATION = (
    "Accounts created with “Continue with Google” or “Sign in with Apple” have no Wallbox "
    "password, and the Wallbox API only accepts e-mail + password. In the myWallbox app, "
    "use “Forgot password” with the same e-mail to give the account a password, then try again."
)


class ConnectProblem(StrEnum):
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 (a problem name, not a secret)
    SSO_ACCOUNT = "sso_account"
    RATE_LIMITED = "rate_limited"
    UNREACHABLE = "unreachable"
    ALREADY_CONNECTED = "already_connected"


class ConnectFailure(ChargebookError):
    """Why the sign-in did not work, in words for the owner; `status` for the page."""

    def __init__(
        self, problem: ConnectProblem, message: str, hint: str | None, status: int
    ) -> None:
        super().__init__(message)
        self.problem, self.hint, self.status = problem, hint, status
        self.retryable = status in (429, 502)


def is_apple_relay(email: str) -> bool:
    """Whether `email` is an Apple "Hide my e-mail" relay address (always an SSO account)."""
    return email.strip().lower().endswith("@" + _APPLE_RELAY)


def explain(email: str, error: ChargebookError) -> ConnectFailure:
    """The owner-facing explanation of a failed myWallbox sign-in."""
    if isinstance(error, WallboxAuthenticationError):
        if is_apple_relay(email):
            return ConnectFailure(
                ConnectProblem.SSO_ACCOUNT,
                "This is a “Sign in with Apple” address: that account cannot use the Wallbox API.",
                SSO_EXPLANATION,
                401,
            )
        return ConnectFailure(
            ConnectProblem.WRONG_PASSWORD,
            "Wallbox did not accept this e-mail and password.",
            "Check the password you use in the myWallbox app. " + SSO_EXPLANATION,
            401,
        )
    if isinstance(error, WallboxRateLimitedError):
        return ConnectFailure(
            ConnectProblem.RATE_LIMITED,
            "Wallbox is limiting sign-ins for this account right now.",
            "Nothing is wrong with your password. Wait a minute or two, then try again; "
            "repeated attempts only extend the wait.",
            429,
        )
    if isinstance(error, ConflictError):
        return ConnectFailure(
            ConnectProblem.ALREADY_CONNECTED,
            "This myWallbox account is already connected to chargebook.",
            "Its chargers are on your dashboard; if it belongs to someone else, ask the operator.",
            409,
        )
    if isinstance(error, WallboxConnectionError):
        return ConnectFailure(
            ConnectProblem.UNREACHABLE,
            "The Wallbox Cloud could not be reached.",
            "This is on Wallbox's side or the network's; try again in a few minutes.",
            502,
        )
    return ConnectFailure(ConnectProblem.UNREACHABLE, error.message, None, 502)


async def connect_wallbox(
    context: WebContext, owner: User, *, email: str, password: str
) -> WallboxAccount:
    """Sign in to myWallbox once (live), store the account for `owner`.

    Raises:
        InvalidInputError: the e-mail or password is empty or malformed.
        ConnectFailure: Wallbox refused, throttled or could not be reached.
    """
    address = check_email(email)
    if not password:
        raise InvalidInputError("enter the password of your myWallbox account", field="password")
    try:
        return await connect_account(
            context.settings,
            context.database,
            context.box,
            context.clock,
            email=address,
            password=password,
            transport=context.wallbox_transport,
            owner_user_id=owner.id,
            max_retries=0,  # the owner is waiting: explain at once instead of backing off
        )
    except (WallboxAuthenticationError, WallboxRateLimitedError, WallboxConnectionError) as exc:
        raise explain(address, exc) from None
    except ConflictError as exc:
        raise explain(address, exc) from None


def owned_account(context: WebContext, viewer: Viewer, account_id: int) -> WallboxAccount:
    """A myWallbox account the viewer may see (operators: any).

    Raises:
        NotFoundError: no such account, or not the viewer's.
    """
    with context.database.session() as session:
        try:
            account = WallboxAccountRepository(session, context.box, context.clock).get(account_id)
        except NotFoundError:
            account = None
    if account is None or not viewer.may_see(account.owner_user_id):
        raise NotFoundError(f"no myWallbox account with id {account_id}")
    return account


@dataclass(frozen=True, slots=True)
class LoadedChargers:
    """The account's chargers now in the owner's book, and the names (as the account's own
    cloud read reported them) of those another chargebook user connected first."""

    owned: list[StoredCharger]
    held_by_others: list[str]


async def load_chargers(context: WebContext, account: WallboxAccount) -> LoadedChargers:
    """Read the account's chargers from the cloud into the book, owned by the account's owner,
    except those another chargebook user owns (untouched; see `chargebook.domain.ownership`).

    Raises:
        WallboxError: the cloud refused or failed (see `chargebook.wallbox.exceptions`).
    """
    sources = build_sources(
        context.settings,
        context.database,
        context.box,
        context.clock,
        only_email=account.email,
        transport=context.wallbox_transport,
        budgets=context.budgets,  # the account's one budget, shared with its backfill
    )
    try:
        # One groups read, plus the MID serial (step 4) of the MID chargers only: the
        # groups listing says which have a MID meter, not its serial.
        chargers = await sources[0].cloud.list_chargers()
    finally:
        await close_sources(sources)
    loaded = LoadedChargers(owned=[], held_by_others=[])
    with context.database.transaction() as session:
        repository = ChargerRepository(session, context.clock)
        for charger in chargers:
            try:
                loaded.owned.append(
                    repository.upsert(
                        charger, account_id=account.id, owner_user_id=account.owner_user_id
                    )
                )
            except ChargerOwnedByAnotherError as held:
                loaded.held_by_others.append(held.name)
    return loaded


@dataclass(frozen=True, slots=True)
class OcppConnectPage:
    """What the connect page shows once: where to connect, and the secret."""

    charger_id: int
    charge_point_id: str
    url: str
    secret: str = field(repr=False)
    allow_empty_password: bool = False


def register_ocpp(
    context: WebContext,
    owner: User,
    charge_point_id: str,
    address: OcppAddress,
    *,
    allow_empty_password: bool = False,
) -> OcppConnectPage:
    """Register an OCPP charge point, 1.6J or 2.0.1, for `owner` (the service `chargebook ocpp
    add` calls).

    `address` is where the charger dials (`ocpp_registration.ocpp_address`).

    Raises:
        InvalidInputError: not a charge point id (`chargebook.domain.charge_point_id`).
        ConflictError: a charger with this id is registered already.
    """
    try:
        registration = register_ocpp_charger(
            context.database,
            context.clock,
            charge_point_id,
            owner_user_id=owner.id,
            allow_empty_password=allow_empty_password,
        )
    except InvalidChargePointIdError as error:
        raise InvalidInputError(error.message, field="charge_point_id") from error
    cp_id = registration.charge_point_id
    return OcppConnectPage(
        registration.charger_id,
        cp_id,
        address.for_charge_point(cp_id),
        registration.secret,
        registration.allow_empty_password,
    )
