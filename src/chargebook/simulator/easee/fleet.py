"""The deterministic fleet: accounts, sites, circuits and chargers derived from the seed.

Product codes and model names are easee_hass `const.py` `EASEE_PRODUCT_CODES` (reference
§2.4). Serial prefixes `EH` (Home) and `EC` (Charge, Core) are seen in real data; `EU` for the
Charge Up is invented here. The API says nothing about a MID meter, so neither does the fleet.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from chargebook.simulator.easee.config import SimulatorConfig

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105  (a published demo credential, not a secret)
VOLTS = 230.0
PHASES = 3
MIN_CURRENT_A = 6


@dataclass(frozen=True)
class Model:
    product_code: int
    name: str
    prefix: str
    max_current_a: int


# Fleet position i gets MODELS[i % 3]: the demo account has a Home and a Charge Core.
MODELS: tuple[Model, ...] = (
    Model(1, "Easee Home", "EH", 32),
    Model(102, "Charge Core", "EC", 32),
    Model(4, "Charge Up", "EU", 32),
)


@dataclass(frozen=True)
class SimCharger:
    """One simulated charger; the mutable part lives in state.ChargerState."""

    id: str
    index: int
    name: str
    model: Model
    owner_email: str
    site_id: int
    circuit_id: int
    created_on: str  # as the API writes it (UTC, ".NNNZ")
    firmware: int
    latest_firmware: int
    initial_max_current_a: int
    lifetime_start_kwh: float
    backplate_id: str

    def power_limit_kw(self, current_a: float) -> float:
        return current_a * VOLTS * PHASES / 1000.0


@dataclass(frozen=True)
class SimAccount:
    email: str
    password: str = field(repr=False)
    user_id: int
    charger_ids: tuple[str, ...]
    site_id: int
    site_key: str
    circuit_id: int


@dataclass(frozen=True)
class Fleet:
    accounts: tuple[SimAccount, ...]
    chargers: dict[str, SimCharger]


def credentials(index: int) -> tuple[str, str]:
    if index == 0:
        return DEMO_EMAIL, DEMO_PASSWORD
    return f"user{index:03d}@example.com", f"user{index:03d}-password"


def build_fleet(config: SimulatorConfig) -> Fleet:
    """Derive accounts and chargers from the seed; the same config gives the same fleet."""
    rng = random.Random(f"easeesim-fleet:{config.seed}")
    used: set[str] = set()
    alphabet = string.ascii_uppercase + string.digits

    def serial(prefix: str) -> str:
        while True:
            value = prefix + "".join(rng.choice(alphabet) for _ in range(6))
            if value not in used:
                used.add(value)
                return value

    def installed(day: str, time: str) -> str:
        # The random day is drawn either way: the rest of the fleet stays the same.
        return f"{config.installed_on or day}{time}"

    accounts: list[SimAccount] = []
    chargers: dict[str, SimCharger] = {}
    for a in range(config.accounts):
        email, password = credentials(a)
        site_id, circuit_id = 50_000 + a * 7 + 1, 90_000 + a * 11 + 3
        ids: list[str] = []
        for _ in range(config.chargers_per_account):
            index = len(chargers)
            model = MODELS[index % len(MODELS)]
            charger_id = serial(model.prefix)
            firmware = rng.randint(280, 320)
            chargers[charger_id] = SimCharger(
                id=charger_id,
                index=index,
                name=f"{model.name} {charger_id[-5:]}",
                model=model,
                owner_email=email,
                site_id=site_id,
                circuit_id=circuit_id,
                created_on=installed(
                    f"20{19 + rng.randint(0, 1)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    f"T1{rng.randint(0, 9)}:12:53.385Z",
                ),
                firmware=firmware,
                latest_firmware=firmware + rng.choice((0, 0, 2)),
                initial_max_current_a=rng.choice((16, 20, 25, 32)),
                lifetime_start_kwh=round(rng.uniform(100.0, 9000.0), 3),
                backplate_id="".join(rng.choice(alphabet) for _ in range(14)),
            )
            ids.append(charger_id)
        accounts.append(
            SimAccount(
                email=email,
                password=password,
                user_id=200_000 + a,
                charger_ids=tuple(ids),
                site_id=site_id,
                site_key=f"{''.join(rng.choice(string.ascii_uppercase) for _ in range(4))}-"
                f"{rng.randint(1000, 9999)}",
                circuit_id=circuit_id,
            )
        )
    return Fleet(accounts=tuple(accounts), chargers=chargers)
