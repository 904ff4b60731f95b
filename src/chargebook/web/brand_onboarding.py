"""The connect wizard's work for the brands beside the Wallbox (issue 19): the brands this
build offers, a login checked live, and the account's chargers in the book with their owner.

Errors of a brand's API (`chargebook.errors.ChargerApiError`) become `ConnectFailure`s that
say, per brand, what the owner can do: a refused login (what to check in that brand's app or
on the charger), a rate limit (Easee blocks addresses that ask too often), an API or a charger
that cannot be reached (a Peblar answers on the home network only).
"""

from __future__ import annotations

from dataclasses import dataclass

from chargebook.brand_connectors import (
    BRAND_NAMES,
    BRAND_SLUGS,
    BrandRegistry,
    connect_brand_account,
    process_registry,
)
from chargebook.db import ChargerRepository
from chargebook.db.accounts.brand_accounts import BrandAccountRepository
from chargebook.domain.access import Viewer
from chargebook.domain.brands import BrandLogin
from chargebook.domain.models import ChargerSource
from chargebook.domain.ownership import ChargerOwnedByAnotherError
from chargebook.domain.users import BrandAccount, User
from chargebook.errors import (
    ApiRateLimitedError,
    ApiUnreachableError,
    ChargebookError,
    ChargerApiError,
    ConflictError,
    NotFoundError,
    SignInRefusedError,
)
from chargebook.web.context import WebContext
from chargebook.web.errors import InvalidInputError
from chargebook.web.onboarding import ConnectFailure, ConnectProblem, LoadedChargers

# What each brand's login is, in the owner's words (shown under the form).
LOGIN_HELP = {
    ChargerSource.EASEE_CLOUD: (
        "The e-mail address (or phone number) and password you sign in to the Easee app with."
    ),
    ChargerSource.ZAPTEC_CLOUD: (
        "The e-mail and password of your Zaptec Portal account (the Zaptec app's); the account "
        "must own the installation or have the service role on it."
    ),
    ChargerSource.PEBLAR_LOCAL: (
        "The charger's address on your home network (e.g. 192.168.1.40) and the password of "
        "its web interface: with it chargebook reads the charger's meter log (your sessions, "
        "MID-certified) and fetches the local REST API's token itself; enable that API (read "
        "and write) in the web interface. chargebook must run on the same network as the "
        "charger."
    ),
}
# What to check when the brand refused the login.
_REFUSED_HINT = {
    ChargerSource.EASEE_CLOUD: (
        "Check the password in the Easee app (use “Forgot password” there if needed); "
        "chargebook signs in exactly as the app does."
    ),
    ChargerSource.ZAPTEC_CLOUD: (
        "Check them on portal.zaptec.com. An installer's or a shared user's account may not "
        "read the charger: the installation's owner connects it."
    ),
    ChargerSource.PEBLAR_LOCAL: (
        "Check the password by signing in to the charger's web interface (its address in a "
        "browser), and that the local REST API is enabled there."
    ),
}
_RATE_HINT = {
    ChargerSource.EASEE_CLOUD: (
        "Easee blocks addresses that ask too often, for up to a day. Wait before trying "
        "again; repeated attempts only extend the wait."
    ),
}
_UNREACHABLE_HINT = {
    ChargerSource.PEBLAR_LOCAL: (
        "chargebook could not reach the charger at this address: check the address, that the "
        "charger is on, and that chargebook runs on the same network."
    ),
}


@dataclass(frozen=True, slots=True)
class BrandChoice:
    """A brand as the wizard offers it."""

    slug: str
    name: str
    source: ChargerSource
    user_label: str
    secret_label: str
    help: str

    @property
    def local(self) -> bool:
        """A charger on the home network (its address, not an e-mail)."""
        return self.source is ChargerSource.PEBLAR_LOCAL


def brand_registry(context: WebContext) -> BrandRegistry:
    return context.brands or process_registry()


def offered_brands(context: WebContext) -> list[BrandChoice]:
    """The brands this build can connect, in the order the wizard offers them."""
    registry = brand_registry(context)
    choices = []
    for source in registry.sources:
        connector = registry.connector(source)
        user_label, secret_label = connector.login_labels
        choices.append(
            BrandChoice(
                BRAND_SLUGS[source],
                connector.name,
                source,
                user_label,
                secret_label,
                LOGIN_HELP[source],
            )
        )
    return choices


def brand_choice(context: WebContext, slug: str) -> BrandChoice:
    """The offered brand with this slug.

    Raises:
        NotFoundError: no such brand here (also one with no connector in this build).
    """
    for choice in offered_brands(context):
        if choice.slug == slug:
            return choice
    raise NotFoundError(f"chargebook cannot connect {slug!r} chargers here")


def explain_brand(source: ChargerSource, error: ChargebookError) -> ConnectFailure:
    """The owner-facing explanation of a failed sign-in to a brand."""
    name = BRAND_NAMES.get(source, source.value)
    if isinstance(error, SignInRefusedError):
        what = "address and web password" if source is ChargerSource.PEBLAR_LOCAL else "login"
        return ConnectFailure(
            ConnectProblem.WRONG_PASSWORD,
            f"{name} did not accept this {what}.",
            _REFUSED_HINT.get(source),
            401,
        )
    if isinstance(error, ApiRateLimitedError):
        return ConnectFailure(
            ConnectProblem.RATE_LIMITED,
            f"{name} is limiting sign-ins right now.",
            _RATE_HINT.get(source, "Wait a minute or two, then try again."),
            429,
        )
    if isinstance(error, ConflictError):
        return ConnectFailure(
            ConnectProblem.ALREADY_CONNECTED,
            f"This {name} account is already connected to chargebook.",
            "Its chargers are on your dashboard; if it belongs to someone else, ask the operator.",
            409,
        )
    if isinstance(error, ApiUnreachableError):
        return ConnectFailure(
            ConnectProblem.UNREACHABLE,
            f"{name} could not be reached.",
            _UNREACHABLE_HINT.get(
                source, f"This is on {name}'s side or the network's; try again in a few minutes."
            ),
            502,
        )
    return ConnectFailure(ConnectProblem.UNREACHABLE, error.message, None, 502)


async def connect_brand(
    context: WebContext, owner: User, choice: BrandChoice, *, username: str, secret: str
) -> BrandAccount:
    """Sign in to the brand once (live), store the account for `owner`.

    Raises:
        InvalidInputError: a field is empty.
        ConnectFailure: the brand refused, throttled or could not be reached.
    """
    username = username.strip()
    if not username:
        raise InvalidInputError(f"enter the {choice.user_label.lower()}", field="username")
    if not secret:
        raise InvalidInputError(f"enter the {choice.secret_label.lower()}", field="secret")
    login = BrandLogin(source=choice.source, username=username, secret=secret)
    try:
        return await connect_brand_account(
            context.settings,
            context.database,
            context.box,
            context.clock,
            login=login,
            owner_user_id=owner.id,
            registry=brand_registry(context),
        )
    except (ChargerApiError, ConflictError) as error:
        raise explain_brand(choice.source, error) from None


async def load_brand_chargers(context: WebContext, account: BrandAccount) -> LoadedChargers:
    """Read the account's chargers into the book, owned by the account's owner, except those
    another chargebook user owns (untouched; see `chargebook.domain.ownership`).

    Raises:
        ChargerApiError: the brand refused or failed.
    """
    registry = brand_registry(context)
    client = registry.open_client(
        context.settings, context.database, context.box, context.clock, account
    )
    try:
        chargers = await client.list_chargers()
    finally:
        await client.aclose()
    loaded = LoadedChargers(owned=[], held_by_others=[])
    with context.database.transaction() as session:
        repository = ChargerRepository(session, context.clock)
        for charger in chargers:
            try:
                loaded.owned.append(
                    repository.upsert(
                        charger, account_id=account.key, owner_user_id=account.owner_user_id
                    )
                )
            except ChargerOwnedByAnotherError as held:
                loaded.held_by_others.append(held.name)
    return loaded


def owned_brand_account(context: WebContext, viewer: Viewer, account_id: int) -> BrandAccount:
    """A brand account (by its `brand_accounts` id) the viewer may see (operators: any).

    Raises:
        NotFoundError: no such account, or not the viewer's.
    """
    with context.database.session() as session:
        try:
            account = BrandAccountRepository(session, context.box, context.clock).get(account_id)
        except NotFoundError:
            account = None
    if account is None or not viewer.may_see(account.owner_user_id):
        raise NotFoundError(f"no brand account with id {account_id}")
    return account
