"""Auth as the real user-api: ms expiry, rotation, 401/403 semantics, read-only members."""

from __future__ import annotations

import httpx

from chargebook.clock import FixedClock
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

from .helpers import basic, make_client, sign_in


async def _refresh(http: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {refresh_token}", "Partner": "wallbox"}
    return await http.get("/users/refresh-token", headers=headers)


async def test_wrong_password_is_403_and_unknown_user_too(sim: WallboxSimulator) -> None:
    async with make_client(sim) as http:
        wrong = await http.get("/users/signin", headers=basic("demo@example.com", "nope"))
        unknown = await http.get("/users/signin", headers=basic("who@example.com", "x"))
        no_partner = await http.get(
            "/users/signin",
            headers={"Authorization": basic("demo@example.com", "x")["Authorization"]},
        )
    assert wrong.status_code == 403
    assert unknown.status_code == 403
    assert no_partner.status_code == 400
    assert "demo-password" not in wrong.text


async def test_refresh_rotates_the_refresh_token(sim: WallboxSimulator, clock: FixedClock) -> None:
    async with make_client(sim) as http:
        first = await sign_in(http)
        clock.advance(60)
        response = await _refresh(http, first["refresh_token"])
        assert response.status_code == 200
        second = response.json()["data"]["attributes"]
        assert second["refresh_token"] != first["refresh_token"]
        assert second["ttl"] == int(clock.now().timestamp() * 1000) + 900_000
        assert (await _refresh(http, first["refresh_token"])).status_code == 401  # rotated away
        http.headers["Authorization"] = f"Bearer {second['token']}"
        assert (await http.get("/v3/chargers/groups")).status_code == 200


async def test_expired_access_token_is_401(sim: WallboxSimulator, clock: FixedClock) -> None:
    async with make_client(sim) as http:
        await sign_in(http)
        assert (await http.get("/v3/chargers/groups")).status_code == 200
        clock.advance(899)
        assert (await http.get("/v3/chargers/groups")).status_code == 200
        clock.advance(1)
        assert (await http.get("/v3/chargers/groups")).status_code == 401
        http.headers["Authorization"] = "Bearer not.a.token"
        assert (await http.get("/v3/chargers/groups")).status_code == 401
        del http.headers["Authorization"]
        assert (await http.get("/v3/chargers/groups")).status_code == 401


async def test_refresh_token_expires_and_can_be_revoked(clock: FixedClock) -> None:
    sim = WallboxSimulator(
        SimulatorConfig(partner_mode=True, refresh_token_ttl_s=3600), clock=clock
    )
    async with make_client(sim) as http:
        first = await sign_in(http)
        clock.advance(3600)
        assert (await _refresh(http, first["refresh_token"])).status_code == 401
        second = await sign_in(http)
        sim.revoke_refresh_tokens("demo@example.com")
        assert (await _refresh(http, second["refresh_token"])).status_code == 401
        assert (await _refresh(http, "garbage")).status_code == 401
        assert (await http.get("/v3/chargers/groups")).status_code == 200  # access token lives on


async def test_login_session_cap_drops_the_oldest(clock: FixedClock) -> None:
    sim = WallboxSimulator(SimulatorConfig(partner_mode=True, max_login_sessions=2), clock=clock)
    async with make_client(sim) as http:
        oldest = await sign_in(http)
        await sign_in(http)
        newest = await sign_in(http)
        assert (await _refresh(http, oldest["refresh_token"])).status_code == 401
        assert (await _refresh(http, newest["refresh_token"])).status_code == 200


async def test_guest_reads_but_every_write_is_403(sim: WallboxSimulator) -> None:
    plus = sim.accounts[0].charger_ids[0]
    other = sim.accounts[1].charger_ids[0]
    async with make_client(sim) as http:
        await sign_in(http, "guest@example.com", "guest-password")
        groups = (await http.get("/v3/chargers/groups")).json()["result"]["groups"]
        assert groups[0]["profile"]["name"] == "user"
        assert [c["id"] for c in groups[0]["chargers"]] == sim.charger_ids("guest@example.com")
        assert (await http.get(f"/chargers/status/{plus}")).status_code == 200
        writes = [
            http.put(f"/v2/charger/{plus}", json={"locked": 1}),
            http.post(f"/v3/chargers/{plus}/remote-action", json={"action": 2}),
            http.post(f"/chargers/config/{plus}", json={"energyCost": 0.1}),
            http.put(
                f"/v4/chargers/{plus}/eco-smart", json={"data": {"attributes": {"enabled": 0}}}
            ),
            http.post(f"/chargers/{plus}/schedules", json={"schedules": []}),
        ]
        for write in writes:
            assert (await write).status_code == 403
        assert (await http.get(f"/chargers/status/{other}")).status_code == 403  # not shared
        assert (await http.get("/chargers/status/1")).status_code == 404
    assert sim.view(plus).controls.locked is False


async def test_owner_cannot_touch_another_accounts_charger(sim: WallboxSimulator) -> None:
    other = sim.accounts[1].charger_ids[0]
    async with make_client(sim) as http:
        await sign_in(http)
        response = await http.put(f"/v2/charger/{other}", json={"locked": 1})
    assert response.status_code == 403
