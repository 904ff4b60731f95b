"""The Learn pages and the earnings calculator are public: no account needed (issue 18)."""

from __future__ import annotations

from decimal import Decimal

from chargebook.ere import load_parameters
from chargebook.ere.service.credits import yearly_estimate

from .helpers import World


async def test_anyone_can_estimate_what_a_year_of_charging_earns(world: World) -> None:
    anonymous = world.actors["anonymous"]
    page = await anonymous.client.get("/learn", params={"kwh": "2500"})
    assert page.status_code == 200
    expected = yearly_estimate(
        Decimal(2500), year=world.clock.now().year, parameters=load_parameters()
    )
    assert expected is not None
    assert f"€ {expected.low.payout_eur:,.2f}" in page.text
    assert f"€ {expected.high.payout_eur:,.2f}" in page.text
    assert "this is an estimate, not an offer" in page.text
    assert 'href="/login"' in page.text  # signed out: a way in, no owner navigation
    assert "Sign out" not in page.text


async def test_bad_input_to_the_public_calculator_is_a_message(world: World) -> None:
    page = await world.actors["anonymous"].client.get("/learn", params={"kwh": "1e999"})
    assert page.status_code == 422
    assert "enter the kWh you charge in a year" in page.text


async def test_the_sign_in_page_points_to_the_calculator(world: World) -> None:
    page = await world.actors["anonymous"].client.get("/login")
    assert 'href="/learn#calculator"' in page.text
