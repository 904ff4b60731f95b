"""The operator's OCPP security page shows each charger's minimum profile and the issued
certificates, and sets (lowers) the minimum through the same service as `chargebook ocpp
security --min-profile`."""

from __future__ import annotations

import datetime as dt

from chargebook.central_system import hash_secret
from chargebook.central_system.security_profiles import charger_security, set_minimum_profile
from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.db.ocpp.security import IssuedCertificate, OcppSecurityRepository

from .helpers import World


async def test_show_and_lower_a_minimum_profile(world: World) -> None:
    with world.database.transaction() as session:
        OcppChargerRepository(session, world.clock).register(
            "CP-77", secret_hash=hash_secret("x" * 20)
        )
        at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        OcppSecurityRepository(session, world.clock).record_certificate(
            "CP-77",
            IssuedCertificate(
                charge_point_id="CP-77", serial_hex="7f01", sha256_fingerprint="cd" * 32,
                subject="CN=CP-77", certificate_type="ChargePointCertificate",
                not_before=at, not_after=at + dt.timedelta(days=365), issued_at=at,
            ),
        )  # fmt: skip
    set_minimum_profile(world.database, world.clock, "CP-77", 3)
    operator = world.actors["operator"]
    page = await operator.client.get("/operator/ocpp-security")
    assert page.status_code == 200
    assert "3 (client certificate over TLS)" in page.text
    assert "7f01" in page.text
    assert "2027-03-01" in page.text
    lowered = await operator.client.post(
        "/operator/ocpp-security",
        data={"charge_point_id": "CP-77", "min_profile": "1", "csrf_token": operator.csrf},
    )
    assert lowered.status_code == 303, lowered.text
    assert charger_security(world.database, world.clock, "CP-77").minimum_profile == 1
    bad = await operator.client.post(
        "/operator/ocpp-security",
        data={"charge_point_id": "CP-77", "min_profile": "7", "csrf_token": operator.csrf},
    )
    assert bad.status_code == 422
    assert charger_security(world.database, world.clock, "CP-77").minimum_profile == 1
