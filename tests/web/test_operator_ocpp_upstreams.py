"""The operator's OCPP mirror page sets and clears a charger's upstream through the same
service as `chargebook ocpp upstream`; the password is stored encrypted and never shown."""

from __future__ import annotations

from chargebook.central_system import hash_secret
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.db.ocpp.upstreams import OcppUpstreamRepository

from .helpers import World

PASSWORD = "owner-app-secret-Kk4"


async def test_set_show_and_clear_a_mirror(world: World) -> None:
    with world.database.transaction() as session:
        OcppChargerRepository(session, world.clock).register(
            "CP-77", secret_hash=hash_secret("x" * 20)
        )
    operator = world.actors["operator"]
    saved = await operator.client.post(
        "/operator/ocpp-upstreams",
        data={
            "charge_point_id": "CP-77", "url": "wss://cs.example.com/ocpp",
            "mode": "chargebook-primary", "password": PASSWORD, "csrf_token": operator.csrf,
        },
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    with world.database.session() as session:
        stored = OcppUpstreamRepository(session, world.clock).get("CP-77")
    assert stored is not None
    assert stored.password_encrypted is not None
    assert PASSWORD not in stored.password_encrypted
    page = await operator.client.get("/operator/ocpp-upstreams")
    assert page.status_code == 200
    assert "wss://cs.example.com/ocpp" in page.text
    assert "chargebook-primary" in page.text
    assert PASSWORD not in page.text
    bad = await operator.client.post(
        "/operator/ocpp-upstreams",
        data={
            "charge_point_id": "CP-77", "url": "http://cs.example.com/",
            "mode": "upstream-primary", "csrf_token": operator.csrf,
        },
    )  # fmt: skip
    assert bad.status_code == 422
    assert "ws:// or wss://" in bad.text
    cleared = await operator.client.post(
        "/operator/ocpp-upstreams/CP-77/clear", data={"csrf_token": operator.csrf}
    )
    assert cleared.status_code == 303
    with world.database.session() as session:
        assert OcppUpstreamRepository(session, world.clock).get("CP-77") is None


async def test_an_id_no_charger_can_have_is_not_found_not_a_server_error(world: World) -> None:
    # The route fuzz's case: a NUL byte in the path reached PostgreSQL and answered 500.
    operator = world.actors["operator"]
    for bad in ("%00", "a%20b", "x" * 60):
        cleared = await operator.client.post(
            f"/operator/ocpp-upstreams/{bad}/clear", data={"csrf_token": operator.csrf}
        )
        assert cleared.status_code == 404, (bad, cleared.status_code)
