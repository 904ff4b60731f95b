"""An OCPP charger's minimum security profile and its issued certificates, for the doors
(`chargebook ocpp security`, the operator's OCPP page). The rule itself is
`domain.ocpp_security.decide`, applied in the handshake (`admission.py`); here the operator
sets the minimum explicitly, the one way to lower it (the whitepaper's A00.FR.005: lowering
"MUST be done through another method, not via OCPP")."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chargebook.clock import Clock
from chargebook.db import Database, SqlSession
from chargebook.db.ocpp.lookups import charger_id_of
from chargebook.db.ocpp.security import IssuedCertificate, OcppSecurityRepository
from chargebook.domain.charge_point_id import charge_point_id_problem
from chargebook.domain.ocpp_security import profile_problem
from chargebook.errors import ChargebookError

if TYPE_CHECKING:
    from chargebook.central_system.server import CentralSystem

LOG = logging.getLogger("chargebook.central_system.security")


class InvalidSecurityProfileError(ChargebookError):
    """Not a security profile (0-3) or not a charge point id."""


@dataclass(frozen=True, slots=True)
class ChargerSecurity:
    """What the operator sees of one charger's security."""

    charge_point_id: str
    minimum_profile: int
    certificates: list[IssuedCertificate]


def charger_security_in(session: SqlSession, clock: Clock, charge_point_id: str) -> ChargerSecurity:
    """The charger's minimum profile and certificates.

    Raises:
        NotFoundError: no such OCPP charger.
    """
    repository = OcppSecurityRepository(session, clock)
    return ChargerSecurity(
        charge_point_id,
        repository.minimum_profile(charge_point_id),
        repository.certificates(charge_point_id),
    )


def charger_security(database: Database, clock: Clock, charge_point_id: str) -> ChargerSecurity:
    """`charger_security_in` in its own session."""
    with database.session() as session:
        return charger_security_in(session, clock, charge_point_id)


def set_minimum_profile_in(
    session: SqlSession, clock: Clock, charge_point_id: str, profile: int
) -> int:
    """Set the charger's minimum profile (higher or lower) in the caller's session; returns
    the previous one. Applies from the charger's next connection.

    Raises:
        InvalidSecurityProfileError: not 0-3, or a bad charge point id.
        NotFoundError: no such OCPP charger.
    """
    problem = charge_point_id_problem(charge_point_id) or profile_problem(profile)
    if problem is not None:
        raise InvalidSecurityProfileError(problem)
    previous = OcppSecurityRepository(session, clock).set_minimum(charge_point_id, profile)
    if profile < previous:  # an operator's decision worth a line in the security log
        LOG.warning(
            "security profile minimum of charge point %s lowered from %d to %d by the operator",
            charge_point_id,
            previous,
            profile,
        )
    return previous


def set_minimum_profile(
    database: Database, clock: Clock, charge_point_id: str, profile: int
) -> int:
    """`set_minimum_profile_in` in its own transaction."""
    with database.transaction() as session:
        return set_minimum_profile_in(session, clock, charge_point_id, profile)


def issued_certificates(database: Database, clock: Clock) -> list[IssuedCertificate]:
    """Every certificate issued to a charger, soonest expiry first."""
    with database.session() as session:
        return OcppSecurityRepository(session, clock).certificates()


async def renew_certificate(
    database: Database,
    charge_point_id: str,
    *,
    timeout_s: float,
    central: CentralSystem | None = None,
) -> None:
    """Ask a charger to renew its certificate (it then sends SignCertificate): through the
    caller's central system when it runs one (the web app; routed to the holding process on
    PostgreSQL), else through PostgreSQL to whichever process holds it (the CLI).

    Raises:
        InvalidSecurityProfileError: a bad charge point id (before it reaches the database:
            PostgreSQL refuses a NUL byte with an error, not an empty answer).
        NotFoundError: no such OCPP charger (not "not connected": there is nothing to connect).
        ChargePointNotConnectedError: no process holds it (or SQLite without a central here).
        CommandRejectedError, CommandTimeoutError: the charger refused or did not answer.
    """
    from chargebook.central_system.cluster import routed_commands
    from chargebook.central_system.cluster.node import call_holder

    problem = charge_point_id_problem(charge_point_id)
    if problem is not None:
        raise InvalidSecurityProfileError(problem)
    with database.session() as session:
        charger_id_of(session, charge_point_id)

    if central is not None:
        await routed_commands(central).renew_certificate(charge_point_id)
        return
    await call_holder(database, timeout_s, charge_point_id, "renew_certificate", {})
