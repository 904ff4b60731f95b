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

from chargebook.central_system import generate_secret, hash_secret
from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.charge_point_id import charge_point_id_problem
from chargebook.errors import ChargebookError

OPEN_ACCESS_RISK = (
    "Without a password, anything on your network that knows the charge point id can connect "
    "as this charger and write its sessions and meter readings. Use it only on a trusted home "
    "network, never with the central system reachable from the internet."
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
    """Register an OCPP 1.6J charge point (unclaimed when `owner_user_id` is None), in one
    transaction of its own.

    Raises:
        InvalidChargePointIdError: see `check_charge_point_id`.
        ConflictError: a charger with this id is registered already.
    """
    cp_id = check_charge_point_id(charge_point_id)
    secret = generate_secret()
    with database.transaction() as session:
        credentials = OcppChargerRepository(session, clock).register(
            cp_id,
            secret_hash=hash_secret(secret),
            allow_empty_password=allow_empty_password,
            owner_user_id=owner_user_id,
        )
    return OcppRegistration(credentials.charger_id, cp_id, secret, allow_empty_password)
