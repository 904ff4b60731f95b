"""The simulated accounts, installations and chargers (deterministic from the seed)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from chargebook.simulator.zaptec.config import ZaptecSimConfig

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the simulator's published test login
GUEST_EMAIL = "guest@example.com"
GUEST_PASSWORD = "guest-password"  # noqa: S105

# (model, serial prefix, DeviceType, OCMF GI, firmware, MID evidence in the API)
_KINDS = (
    ("Zaptec Go", "ZAP", 4, "ZAPTEC GO", "2.4.2.4", True),
    ("Zaptec Pro", "ZPR", 1, "Zaptec Pro MID", "5.0.7.2", True),
    ("Zaptec Go 2", "GPN", 4, "ZAPTEC GO2", "3.1.0.5", True),
    ("Zaptec Go", "ZAP", 4, "ZAPTEC GO", "1.7.1.1", False),
)


@dataclass(frozen=True, slots=True)
class SimCharger:
    id: str
    serial: str
    name: str
    model: str
    device_type: int
    gateway_id: str
    firmware: str
    mid_evidence: bool
    max_current_a: int
    installation_id: str
    installation_name: str
    circuit_id: str
    created: str


@dataclass(frozen=True, slots=True)
class SimAccount:
    email: str
    password: str
    installation_id: str
    charger_ids: tuple[str, ...]
    roles: int  # CurrentUserRoles: 3 owner + user, 1 user only


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build_fleet(
    config: ZaptecSimConfig,
) -> tuple[list[SimAccount], SimAccount, dict[str, SimCharger]]:
    """(owner accounts, the guest on the first account's installation, chargers by id)."""
    rng = random.Random(f"zapsim-fleet:{config.seed}")
    accounts: list[SimAccount] = []
    chargers: dict[str, SimCharger] = {}
    for a in range(config.accounts):
        installation_id, circuit_id = _uuid(rng), _uuid(rng)
        ids = []
        for c in range(config.chargers_per_account):
            model, prefix, device_type, gi, firmware, evidence = _KINDS[c % len(_KINDS)]
            charger = SimCharger(
                id=_uuid(rng),
                serial=f"{prefix}{rng.randrange(10**6):06d}",
                name=f"{model} {c + 1}",
                model=model,
                device_type=device_type,
                gateway_id=gi,
                firmware=firmware,
                mid_evidence=evidence,
                max_current_a=32 if model == "Zaptec Pro" else 16 * (1 + c % 2),
                installation_id=installation_id,
                installation_name=f"Home {a + 1}",
                circuit_id=circuit_id,
                created="2022-09-16T08:06:10.487",
            )
            chargers[charger.id] = charger
            ids.append(charger.id)
        email = DEMO_EMAIL if a == 0 else f"owner{a + 1}@example.com"
        password = DEMO_PASSWORD if a == 0 else f"owner{a + 1}-password"
        accounts.append(SimAccount(email, password, installation_id, tuple(ids), roles=3))
    first = accounts[0]
    guest = SimAccount(GUEST_EMAIL, GUEST_PASSWORD, first.installation_id, first.charger_ids, 1)
    return accounts, guest, chargers
