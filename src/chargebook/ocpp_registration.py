"""Registering an OCPP charge point: the one service `chargebook ocpp add` and the web's connect
page both call, so the two doors cannot disagree.

A registration gets a fresh Basic-auth secret, returned once (the book keeps only its argon2
hash). `allow_empty_password` additionally lets the charger connect with no password at all:
chargers such as the Wallbox Pulsar family cannot send one (the OCPP setup Home Assistant OCPP
and evcc document leaves the password empty), so without it they get 401 forever. Anyone who
can reach the central system and knows the charge point id can then pose as the charger, so it
is only for a trusted home LAN (`OPEN_ACCESS_RISK`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chargebook.central_system import issue_secret
from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.charge_point_id import charge_point_id_problem
from chargebook.errors import ChargebookError
from chargebook.settings import Settings

OPEN_ACCESS_RISK = (
    "Without a password, anything on your network that knows the charge point id can connect "
    "as this charger and write its sessions and meter readings. Use it only on a trusted home "
    "network, never with the central system reachable from the internet."
)


_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", ""})  # noqa: S104


@dataclass(frozen=True, slots=True)
class OcppAddress:
    """Where chargers dial the central system: `base` + the charge point id.

    `configured` is False when the address is guessed from the host name the browser used;
    `reachable_guess` is False when that guess is this computer's own (loopback) name, which no
    charger can dial.
    """

    base: str
    configured: bool
    reachable_guess: bool = True

    def for_charge_point(self, charge_point_id: str) -> str:
        return f"{self.base}{charge_point_id}"


def ocpp_address(settings: Settings, seen_host: str | None) -> OcppAddress:
    """The address to show for chargers: `CHARGEBOOK_OCPP_PUBLIC_URL` when set, else the host
    the browser used with the OCPP port (every door shows the same one)."""
    if settings.ocpp_public_url:
        return OcppAddress(settings.ocpp_public_url, configured=True)
    host = (seen_host or "").strip("[]")
    shown = host or "localhost"
    if ":" in shown:  # an IPv6 literal goes in brackets in a URL
        shown = f"[{shown}]"
    scheme = "wss" if settings.ocpp_security_profile >= 2 else "ws"  # docs/ocpp-tls.md
    return OcppAddress(
        f"{scheme}://{shown}:{settings.ocpp_port}/",
        configured=False,
        reachable_guess=host.lower() not in _LOOPBACK and not host.startswith("127."),
    )


class InvalidChargePointIdError(ChargebookError):
    """The charge point id cannot be the last segment of the charger's URL."""


@dataclass(frozen=True, slots=True)
class OcppRegistration:
    """A registered charge point; `secret` is shown once and never stored in clear."""

    charger_id: int
    charge_point_id: str
    secret: str = field(repr=False)
    allow_empty_password: bool


def check_charge_point_id(charge_point_id: str) -> str:
    """The id without surrounding spaces.

    Raises:
        InvalidChargePointIdError: not a charge point id (`chargebook.domain.charge_point_id`).
    """
    cp_id = charge_point_id.strip()
    problem = charge_point_id_problem(cp_id)
    if problem is not None:
        raise InvalidChargePointIdError(problem)
    return cp_id


def register_ocpp_charger(
    database: Database,
    clock: Clock,
    charge_point_id: str,
    *,
    owner_user_id: int | None,
    allow_empty_password: bool = False,
) -> OcppRegistration:
    """Register an OCPP charge point, 1.6J or 2.0.1 (unclaimed when `owner_user_id` is None),
    in one transaction of its own.

    Raises:
        InvalidChargePointIdError: see `check_charge_point_id`.
        ConflictError: a charger with this id is registered already.
    """
    cp_id = check_charge_point_id(charge_point_id)
    issued = issue_secret()
    with database.transaction() as session:
        credentials = OcppChargerRepository(session, clock).register(
            cp_id,
            secret_hash=issued.stored,
            allow_empty_password=allow_empty_password,
            owner_user_id=owner_user_id,
        )
    return OcppRegistration(credentials.charger_id, cp_id, issued.secret, allow_empty_password)
