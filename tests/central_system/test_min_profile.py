"""A charger's minimum security profile (trust on upgrade): once it connected with TLS
(profile 2, here at a trusted TLS-terminating proxy that says X-Forwarded-Proto: https) it is
refused over plain ws:// with its right password (OCTT TC_A_19_CSMS: "the CSMS shall not
accept the connection attempt"), the refusal is a security event; the operator lowering the
minimum through the one service function lets it in again."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from chargebook.central_system import CentralSystem, hash_secret
from chargebook.central_system.security_profiles import (
    InvalidSecurityProfileError,
    charger_security,
    set_minimum_profile,
)
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.ocpp_security import ProfileDecision, connection_profile, decide
from chargebook.errors import NotFoundError
from chargebook.settings import Settings

from .helpers import CP_ID, SECRET, basic, exchange, register

SECURITY = "chargebook.central_system.security"
BOOT = [2, "b1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]
TLS_AT_PROXY = {"X-Forwarded-Proto": "https"}


@pytest.fixture
async def central(database: Database, clock: FixedClock) -> AsyncIterator[CentralSystem]:
    """A profile 1 ws:// port behind a TLS proxy on loopback (so both kinds arrive here)."""
    register(database, clock, CP_ID)
    register(database, clock, "CP-OPEN", None, allow_empty_password=True)
    settings = Settings(ocpp_trusted_proxies=["127.0.0.1"])
    system = CentralSystem(settings, database, clock=clock, response_timeout_s=2.0)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    yield system
    await system.close()


async def _boot(
    central: CentralSystem,
    headers: dict[str, str],
    charge_point_id: str = CP_ID,
) -> None:
    url = f"ws://127.0.0.1:{central.port}/ocpp/{charge_point_id}"  # type: ignore[attr-defined]
    async with connect(
        url,
        subprotocols=["ocpp1.6"],
        additional_headers=headers,  # type: ignore[list-item]
    ) as ws:
        assert (await exchange(ws, BOOT))[0] == 3


async def _refused(
    central: CentralSystem, headers: dict[str, str], charge_point_id: str = CP_ID
) -> int:
    with pytest.raises(InvalidStatus) as refused:
        await _boot(central, headers, charge_point_id)
    return refused.value.response.status_code


async def test_after_tls_a_plain_ws_password_is_refused_until_the_operator_lowers_it(
    central: CentralSystem,
    database: Database,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _boot(central, basic(CP_ID, SECRET))  # profile 1: allowed, minimum becomes 1
    assert charger_security(database, clock, CP_ID).minimum_profile == 1
    await _boot(central, basic(CP_ID, SECRET) | TLS_AT_PROXY)  # profile 2
    assert charger_security(database, clock, CP_ID).minimum_profile == 2

    caplog.set_level(logging.WARNING, logger=SECURITY)
    assert await _refused(central, basic(CP_ID, SECRET)) == 403
    events = [r.getMessage() for r in caplog.records if r.name == SECURITY]
    assert any(
        "SecurityProfileDowngrade" in e and "profile 1, below its minimum 2" in e for e in events
    ), events
    assert not any(SECRET in e for e in events)
    await _boot(central, basic(CP_ID, SECRET) | TLS_AT_PROXY)  # TLS still fine

    assert set_minimum_profile(database, clock, CP_ID, 1) == 2
    await _boot(central, basic(CP_ID, SECRET))
    assert charger_security(database, clock, CP_ID).minimum_profile == 1


async def test_an_untrusted_forwarded_header_is_no_tls(
    database: Database, clock: FixedClock
) -> None:
    register(database, clock, CP_ID)
    set_minimum_profile(database, clock, CP_ID, 2)
    async with CentralSystem(Settings(), database, clock=clock) as system:  # no trusted proxy
        system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
        assert await _refused(system, basic(CP_ID, SECRET) | TLS_AT_PROXY) == 403


async def test_a_charger_that_sent_a_password_may_not_come_back_without(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    open_id = "CP-OPEN"
    await _boot(central, {}, open_id)  # profile 0: no password, allowed for this record
    assert charger_security(database, clock, open_id).minimum_profile == 0
    with database.transaction() as session:
        OcppChargerRepository(session, clock).set_secret(
            open_id, secret_hash=hash_secret(SECRET), allow_empty_password=True
        )
    await _boot(central, basic(open_id, SECRET), open_id)  # profile 1
    assert await _refused(central, {}, open_id) == 401


def test_the_service_checks_its_input(database: Database, clock: FixedClock) -> None:
    register(database, clock, CP_ID)
    with pytest.raises(InvalidSecurityProfileError, match="0, 1, 2 or 3"):
        set_minimum_profile(database, clock, CP_ID, 4)
    with pytest.raises(NotFoundError):
        set_minimum_profile(database, clock, "CP-NOPE", 1)
    with pytest.raises(InvalidSecurityProfileError):
        set_minimum_profile(database, clock, "bad id with spaces", 1)


@pytest.mark.parametrize(
    ("tls", "password", "certificate", "profile"),
    [
        (False, False, False, 0),
        (False, True, False, 1),
        (True, True, False, 2),
        (True, False, False, 0),
        (True, False, True, 3),
        (False, False, True, 0),  # a certificate header without TLS proves nothing
    ],
)
def test_connection_profile(tls: bool, password: bool, certificate: bool, profile: int) -> None:
    assert connection_profile(tls=tls, password=password, certificate=certificate) == profile


def test_the_rule() -> None:
    assert decide(2, 1).admitted is False
    assert decide(2, 2) == ProfileDecision(admitted=True, minimum=2, raised=False)
    assert decide(1, 3) == ProfileDecision(admitted=True, minimum=3, raised=True)
    assert decide(3, 2) == ProfileDecision(admitted=False, minimum=3, raised=False)
