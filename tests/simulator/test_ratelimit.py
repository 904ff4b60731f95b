"""Per-account budgets: 3 GET and 5 non-GET per rolling minute by default."""

from __future__ import annotations

from chargebook.clock import FixedClock
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

from .helpers import make_client, sign_in


async def test_fourth_get_within_a_minute_is_refused(clock: FixedClock) -> None:
    sim = WallboxSimulator(SimulatorConfig(throttle_403_rate=0.5), clock=clock)
    seen: list[int] = []
    async with make_client(sim) as http:
        await sign_in(http)  # auth calls do not count against the data budget
        for _ in range(12):
            codes = [(await http.get("/v3/chargers/groups")).status_code for _ in range(4)]
            assert codes[:3] == [200, 200, 200]
            assert codes[3] in (429, 403)
            assert "retry-after" not in (await http.get("/v3/chargers/groups")).headers
            seen.append(codes[3])
            clock.advance(60)
            await sign_in(http)
    assert set(seen) == {403, 429}  # both throttling answers happen for reads
    logged = [r.status for r in sim.request_log["demo@example.com"] if r.path.startswith("/v3")]
    assert logged[:4] == [200, 200, 200, seen[0]]
    assert logged[4] in (403, 429)


async def test_window_is_rolling_and_writes_are_429_only(clock: FixedClock) -> None:
    sim = WallboxSimulator(SimulatorConfig(throttle_403_rate=1.0), clock=clock)
    plus = sim.accounts[0].charger_ids[0]
    async with make_client(sim) as http:
        await sign_in(http)
        for step in range(3):
            clock.advance(20 if step else 0)
            assert (await http.get(f"/chargers/status/{plus}")).status_code == 200
        assert (await http.get(f"/chargers/status/{plus}")).status_code == 403
        clock.advance(19)
        assert (await http.get(f"/chargers/status/{plus}")).status_code == 403
        clock.advance(1)  # the first GET (60 s ago) has left the window
        assert (await http.get(f"/chargers/status/{plus}")).status_code == 200
        for _ in range(5):
            response = await http.put(f"/v2/charger/{plus}", json={"locked": 1})
            assert response.status_code == 200
        assert (await http.put(f"/v2/charger/{plus}", json={"locked": 0})).status_code == 429
    assert sim.view(plus).controls.locked is True  # the refused write changed nothing


async def test_budgets_are_per_account_and_partner_mode_has_none(clock: FixedClock) -> None:
    sim = WallboxSimulator(SimulatorConfig(accounts=2), clock=clock)
    async with make_client(sim) as demo, make_client(sim) as other:
        await sign_in(demo)
        await sign_in(other, sim.accounts[1].email, sim.accounts[1].password)
        for _ in range(3):
            assert (await demo.get("/v3/chargers/groups")).status_code == 200
        assert (await other.get("/v3/chargers/groups")).status_code == 200
    partner = WallboxSimulator(SimulatorConfig(partner_mode=True), clock=clock)
    async with make_client(partner) as http:
        await sign_in(http)
        for _ in range(20):
            assert (await http.get("/v3/chargers/groups")).status_code == 200
    gets = [r for r in partner.request_log["demo@example.com"] if r.method == "GET"]
    assert len(gets) == 21  # the sign-in is logged too
