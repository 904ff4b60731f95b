"""One name per metering verdict on every door (issue 18: the operator's overview said "not
assessed" where the owner's charger page said "needs upgrade")."""

from __future__ import annotations

import re

from chargebook.ere import MeteringVerdict

from .helpers import World

PILL = re.compile(r'<span class="pill verdict-(\w+)">([^<]+)</span>')


async def test_the_operator_overview_and_the_owners_page_say_the_same_verdict(
    world: World,
) -> None:
    operator = world.actors["operator"]
    overview = (await operator.client.get("/operator")).text
    assert "not assessed" not in overview

    for owner in ("owner_a", "owner_b"):
        charger_id = world.charger_ids[owner]
        page = (await world.actors[owner].client.get(f"/chargers/{charger_id}")).text
        owner_pill = PILL.search(page)
        assert owner_pill, page
        row = overview.split(f'data-testid="metering-{charger_id}"', 1)[1]
        operator_pill = PILL.search(row)
        assert operator_pill
        assert operator_pill.groups() == owner_pill.groups()
        verdict = MeteringVerdict(owner_pill.group(1))
        assert owner_pill.group(2) == verdict.label


def test_each_verdict_has_its_own_words() -> None:
    labels = [verdict.label for verdict in MeteringVerdict]
    assert len(set(labels)) == len(labels)
    assert MeteringVerdict.NEEDS_UPGRADE.label == "needs upgrade"
