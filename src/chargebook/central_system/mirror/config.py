"""Setting and clearing a charger's upstream: the one function each door (CLI, operator web)
calls. The password is encrypted with the SecretBox before it reaches the book and is never
returned."""

from __future__ import annotations

from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database, SqlSession
from chargebook.db.ocpp.upstreams import OcppUpstreamRepository
from chargebook.domain.charge_point_id import charge_point_id_problem
from chargebook.domain.ocpp_upstream import UpstreamConfig, UpstreamMode, upstream_url_problem
from chargebook.errors import ChargebookError, NotFoundError


class InvalidUpstreamError(ChargebookError):
    """The upstream's URL, mode or credentials cannot be used."""


def parse_mode(value: str) -> UpstreamMode:
    """The mode named `value`.

    Raises:
        InvalidUpstreamError: no such mode.
    """
    try:
        return UpstreamMode(value)
    except ValueError:
        names = ", ".join(mode.value for mode in UpstreamMode)
        raise InvalidUpstreamError(f"unknown upstream mode {value!r} (one of: {names})") from None


def set_upstream(
    database: Database,
    box: SecretBox,
    clock: Clock,
    charge_point_id: str,
    *,
    url: str,
    mode: UpstreamMode,
    password: str | None,
    username: str | None = None,
) -> UpstreamConfig:
    """Mirror `charge_point_id` to the central system at `url` (its id is appended), in its own
    transaction (`set_upstream_in` for a caller's session).

    Raises:
        InvalidUpstreamError: a bad URL, user name or an empty password.
        NotFoundError: no such OCPP charger.
    """
    with database.transaction() as session:
        return set_upstream_in(
            session, box, clock, charge_point_id, url=url, mode=mode, password=password,
            username=username,
        )  # fmt: skip


def set_upstream_in(
    session: SqlSession,
    box: SecretBox,
    clock: Clock,
    charge_point_id: str,
    *,
    url: str,
    mode: UpstreamMode,
    password: str | None,
    username: str | None = None,
) -> UpstreamConfig:
    """`set_upstream` in the caller's session (the web request's); adds and flushes."""
    _check_id(charge_point_id)
    problem = upstream_url_problem(url)
    if problem is not None:
        raise InvalidUpstreamError(problem)
    if password is not None and not password:
        raise InvalidUpstreamError("the upstream password is empty (leave it out for no auth)")
    user = username or charge_point_id
    if ":" in user:
        raise InvalidUpstreamError("a Basic-auth user name cannot contain ':'")
    encrypted = box.encrypt(password) if password is not None else None
    repository = OcppUpstreamRepository(session, clock)
    repository.set(charge_point_id, url=url, mode=mode, username=user, password_encrypted=encrypted)
    found = repository.get(charge_point_id)
    assert found is not None  # just written
    return found


def clear_upstream(database: Database, clock: Clock, charge_point_id: str) -> bool:
    """Stop mirroring `charge_point_id`; False if it was not mirrored.

    Raises:
        NotFoundError: no such OCPP charger.
    """
    with database.transaction() as session:
        return clear_upstream_in(session, clock, charge_point_id)


def clear_upstream_in(session: SqlSession, clock: Clock, charge_point_id: str) -> bool:
    """`clear_upstream` in the caller's session."""
    _check_id(charge_point_id)
    return OcppUpstreamRepository(session, clock).clear(charge_point_id)


def _check_id(charge_point_id: str) -> None:
    """No charger has an id outside the one rule (and text such as a NUL byte must never
    reach the database).

    Raises:
        NotFoundError: not a charge point id, with the rule.
    """
    problem = charge_point_id_problem(charge_point_id)
    if problem is not None:
        raise NotFoundError(f"no OCPP charger with that id: {problem}")


def upstreams(database: Database, clock: Clock) -> dict[str, UpstreamConfig]:
    """Every mirrored charger's upstream, by charge point id."""
    with database.session() as session:
        return upstreams_in(session, clock)


def upstreams_in(session: SqlSession, clock: Clock) -> dict[str, UpstreamConfig]:
    """`upstreams` in the caller's session."""
    configs = OcppUpstreamRepository(session, clock).all()
    return {config.charge_point_id: config for config in configs}
