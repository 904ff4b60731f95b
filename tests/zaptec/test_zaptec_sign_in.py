"""Sign-in as Zaptec does it: the password grant once, the token kept and reused until it
nearly expires (no refresh token exists), a revoked token re-granted once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from zaptec_helpers import START, client, simulator

from chargebook.clock import FixedClock
from chargebook.domain.brands import MemoryTokenKeeper
from chargebook.errors import ConfigurationError, SignInRefusedError
from chargebook.simulator.zaptec import DEMO_EMAIL
from chargebook.zaptec import CONNECTOR


async def test_a_wrong_password_is_refused_with_zaptecs_reason() -> None:
    sim = simulator()
    zaptec = client(sim, FixedClock(START), password="wrong")
    with pytest.raises(SignInRefusedError) as refused:
        await zaptec.sign_in()
    assert "incorrect" in refused.value.message
    assert "wrong" not in refused.value.message
    await zaptec.aclose()


async def test_one_sign_in_serves_many_calls_and_other_clients_of_the_account() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    tokens = MemoryTokenKeeper()
    zaptec = client(sim, clock, tokens=tokens)
    for _ in range(3):
        await zaptec.list_chargers()
    again = client(sim, clock, tokens=tokens)  # a later run with the stored token
    await again.list_chargers()
    assert sim.sign_ins[DEMO_EMAIL] == 1
    stored = tokens.load()
    assert stored is not None
    assert set(stored) == {"access_token", "expires_at"}
    await zaptec.aclose()
    await again.aclose()


async def test_a_token_near_its_end_is_renewed_by_a_new_grant() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock)
    await zaptec.list_chargers()
    clock.advance(timedelta(hours=23, minutes=55))  # 24 h tokens, renewed 10 min early
    await zaptec.list_chargers()
    assert sim.sign_ins[DEMO_EMAIL] == 2
    clock.advance(timedelta(hours=1))
    await zaptec.list_chargers()
    assert sim.sign_ins[DEMO_EMAIL] == 2
    await zaptec.aclose()


async def test_a_token_the_cloud_revoked_is_granted_again_once() -> None:
    clock = FixedClock(START)
    sim = simulator(clock, fault_rate=1.0, fault_kinds=("revoked_token",), fault_limit=1)
    zaptec = client(sim, clock)
    chargers = await zaptec.list_chargers()
    assert len(chargers) == 2
    assert sim.sign_ins[DEMO_EMAIL] == 2
    assert 401 in [r.status for r in sim.request_log[DEMO_EMAIL]]
    await zaptec.aclose()


def test_the_connector_refuses_a_login_of_another_brand_or_an_empty_one() -> None:
    from chargebook.domain.brands import BrandLogin
    from chargebook.domain.models import ChargerSource

    clock = FixedClock(START)
    for login in (
        BrandLogin(ChargerSource.EASEE_CLOUD, "a@example.com", "pw"),
        BrandLogin(ChargerSource.ZAPTEC_CLOUD, " ", "pw"),
    ):
        with pytest.raises(ConfigurationError):
            CONNECTOR.open_client(
                login,
                base_url=None,
                transport=None,
                clock=clock,
                tokens=MemoryTokenKeeper(),
                budget=CONNECTOR.new_budget(clock),
            )


def test_the_password_is_in_no_repr() -> None:
    clock = FixedClock(START)
    zaptec = client(simulator(clock), clock, password="s3cret-pw")
    assert "s3cret-pw" not in repr(zaptec)
