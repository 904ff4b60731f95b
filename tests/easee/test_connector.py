"""The Easee `BrandConnector`, the ongoing session read and provisional history items."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.brands import BrandClient, BrandLogin, MemoryTokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.easee import CONNECTOR, EaseeBudget
from chargebook.easee.history import is_provisional, session_record
from chargebook.errors import ConfigurationError
from chargebook.simulator.easee import EaseeSimulator

from . import recorded
from .conftest import ClientFactory


async def test_the_connector_describes_easee_and_opens_a_brand_client(clock: FixedClock) -> None:
    assert CONNECTOR.source is ChargerSource.EASEE_CLOUD
    assert (CONNECTOR.name, CONNECTOR.default_base_url) == ("Easee", "https://api.easee.com")
    assert CONNECTOR.login_labels == ("E-mail or phone number", "Password")
    budget = CONNECTOR.new_budget(clock)
    assert isinstance(budget, EaseeBudget)
    login = BrandLogin(ChargerSource.EASEE_CLOUD, "me@example.com", "secret")
    client = CONNECTOR.open_client(
        login, base_url=None, transport=None, clock=clock, tokens=MemoryTokenKeeper(), budget=budget
    )
    try:
        assert isinstance(client, BrandClient)
        assert client.http.base_url == "https://api.easee.com"
        assert "secret" not in repr(client)
    finally:
        await client.aclose()
    other = BrandLogin(ChargerSource.ZAPTEC_CLOUD, "me@example.com", "secret")
    for wrong_login, wrong_budget in ((other, budget), (login, object())):
        with pytest.raises(ConfigurationError):
            CONNECTOR.open_client(
                wrong_login,
                base_url=None,
                transport=None,
                clock=clock,
                tokens=MemoryTokenKeeper(),
                budget=wrong_budget,
            )


async def test_the_ongoing_session_is_read_in_its_own_schema(
    sim: EaseeSimulator, make_client: ClientFactory, clock: FixedClock
) -> None:
    charger_id = sim.accounts[0].charger_ids[0]
    session = sim.next_session(charger_id)
    clock.set(session.start + timedelta(hours=1))
    sim.clock.set(clock.now())  # type: ignore[attr-defined]
    client = make_client(sim)
    ongoing = await client.read_ongoing(charger_id)
    assert ongoing is not None
    assert ongoing["sessionId"] == session.id
    assert set(ongoing) == set(recorded.ONGOING_193)
    clock.set(session.end + timedelta(minutes=1))
    sim.clock.set(clock.now())  # type: ignore[attr-defined]
    assert await client.read_ongoing(charger_id) is None


def test_an_incomplete_history_item_is_provisional() -> None:
    final = recorded.HISTORY_2024[1]
    assert not is_provisional(final)
    assert is_provisional({**final, "isComplete": False})
    assert is_provisional({**final, "carDisconnected": None})
    bad = session_record("EC3VJ7GU", {**final, "kiloWattHours": "3,26"})
    assert bad.session is None
    assert bad.problem == "kiloWattHours must be a number, not '3,26'"
    assert bad.external_id == "EC3VJ7GU:193"  # quarantined under its id, with the raw item
