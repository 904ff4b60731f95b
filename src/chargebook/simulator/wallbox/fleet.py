"""The deterministic fleet: accounts, groups and chargers derived from the seed.

Model parameters follow reference §4: Pulsar Plus (`PLP1-…`) and Quasar (`QSP1-…`) part numbers
are real; the Pulsar Pro, Commander 2 and Copper SB prefixes are not public and are invented
here. Only the Copper SB has a MID meter (mid_enabled=1 and a MID serial number).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from chargebook.simulator.wallbox.config import SimulatorConfig

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105  (a published demo credential, not a secret)
GUEST_EMAIL = "guest@example.com"
GUEST_PASSWORD = "guest-password"  # noqa: S105
TIMEZONE = "Europe/Amsterdam"
VOLTS = 230.0


@dataclass(frozen=True)
class ChargerModel:
    """Static properties of a charger model."""

    key: str
    charger_type: str  # free text, as `chargerType` (never match on it)
    part_number: str
    phases: int
    max_current_a: int
    firmware_prefix: str
    mid: bool
    has_ecosmart: bool
    has_power_boost: bool  # icp_max_current is null without Power Boost
    bidirectional: bool
    connector_type: str


def _model(key: str, label: str, part: str, phases: int, **flags: bool) -> ChargerModel:
    return ChargerModel(
        key=key,
        charger_type=label,
        part_number=part,
        phases=phases,
        max_current_a=32,
        firmware_prefix=part[:4].lower(),
        mid=flags.get("mid", False),
        has_ecosmart=flags.get("ecosmart", False),
        has_power_boost=flags.get("power_boost", False),
        bidirectional=flags.get("bidirectional", False),
        connector_type="CCS2" if flags.get("bidirectional") else "Type 2",
    )


# Fleet position i gets MODELS[i % 5], so the demo account has a Pulsar Plus and a MID charger.
MODELS: tuple[ChargerModel, ...] = (
    _model("pulsar_plus", "Pulsar Plus", "PLP1-0-2-4-9-002-E", 3, ecosmart=True, power_boost=True),
    _model("copper_sb", "Copper SB", "CPB1-S-2-4-9-002-A", 3, mid=True),
    _model("commander_2", "Commander 2", "CMX2-0-2-4-8-002-A", 3, power_boost=True),
    _model(
        "quasar",
        "Quasar",
        "QSP1-0-2-4-9-002-E",
        1,
        ecosmart=True,
        power_boost=True,
        bidirectional=True,
    ),
    _model("pulsar_pro", "Pulsar Pro", "PPR1-0-2-4-9-002-E", 3, ecosmart=True),
)
PLAN_FEATURES = ["DEFAULT_FEATURE", "MOBILE_CONNECTIVITY", "AUTOMATIC_REPORTING", "STATISTICS"]


@dataclass(frozen=True)
class SimCharger:
    """One simulated charger; the mutable part lives in state.ChargerState."""

    id: int
    index: int  # position in the whole fleet, used in session ids
    uid: str
    name: str
    model: ChargerModel
    group_id: int
    owner_email: str
    current_version: str
    latest_version: str
    mid_serial_number: str
    initial_current_a: int
    initial_energy_price: float
    initial_icp_max_current: int | None

    @property
    def max_power_kw(self) -> float:
        """Hardware limit: max current x 230 V x phases, in kW."""
        return self.model.max_current_a * VOLTS * self.model.phases / 1000.0

    def power_limit_kw(self, current_a: int) -> float:
        """Power the charger delivers at `current_a` amps, in kW."""
        return current_a * VOLTS * self.model.phases / 1000.0

    @property
    def features(self) -> list[str]:
        extra = ["POWER_BOOST"] if self.model.has_power_boost else []
        return [*PLAN_FEATURES[:1], *extra, *PLAN_FEATURES[1:]]


@dataclass(frozen=True)
class SimAccount:
    """A myWallbox account; `owner` accounts administer their chargers, others only read."""

    email: str
    password: str = field(repr=False)
    user_id: int
    name: str
    charger_ids: tuple[int, ...]
    group_id: int
    group_uid: str
    group_name: str
    profile: str = "super-admin"

    @property
    def can_write(self) -> bool:
        return self.profile != "user"


@dataclass(frozen=True)
class Fleet:
    accounts: tuple[SimAccount, ...]
    guest: SimAccount
    chargers: dict[int, SimCharger]


def _account_credentials(index: int) -> tuple[str, str]:
    if index == 0:
        return DEMO_EMAIL, DEMO_PASSWORD
    return f"user{index:03d}@example.com", f"user{index:03d}-password"


def build_fleet(config: SimulatorConfig) -> Fleet:
    """Derive accounts and chargers from the seed; the same config gives the same fleet."""
    rng = random.Random(f"wbsim-fleet:{config.seed}")
    used: set[int] = set()

    def unique_id(low: int, high: int) -> int:
        while True:
            value = rng.randint(low, high)
            if value not in used:
                used.add(value)
                return value

    accounts: list[SimAccount] = []
    chargers: dict[int, SimCharger] = {}
    for a in range(config.accounts):
        email, password = _account_credentials(a)
        user_id = unique_id(100_000, 999_999)
        group_id = unique_id(100_000, 999_999)
        ids: list[int] = []
        for _ in range(config.chargers_per_account):
            index = len(chargers)
            model = MODELS[index % len(MODELS)]
            charger_id = unique_id(1_000_000, 9_999_999)
            minor = rng.randint(10, 60)
            outdated = rng.random() < 0.5
            current = f"6.{minor - 1 if outdated else minor}.{rng.randint(1, 30)}"
            latest = f"6.{minor}.{rng.randint(31, 40)}" if outdated else current
            chargers[charger_id] = SimCharger(
                id=charger_id,
                index=index,
                uid=uuid.UUID(int=rng.getrandbits(128), version=4).hex.upper()[:26],
                name=f"{model.charger_type.replace(' ', '')} SN {charger_id}",
                model=model,
                group_id=group_id,
                owner_email=email,
                current_version=current,
                latest_version=latest,
                mid_serial_number=f"MID{rng.randint(10_000_000, 99_999_999)}" if model.mid else "",
                # one phase needs 32 A to reach the 3.7 kW floor of planned sessions
                initial_current_a=32 if model.phases == 1 else rng.choice((16, 20, 25, 32)),
                initial_energy_price=round(rng.uniform(0.18, 0.34), 2),
                initial_icp_max_current=rng.choice((25, 35, 40)) if model.has_power_boost else None,
            )
            ids.append(charger_id)
        accounts.append(
            SimAccount(
                email=email,
                password=password,
                user_id=user_id,
                name="Demo" if a == 0 else f"User {a:03d}",
                charger_ids=tuple(ids),
                group_id=group_id,
                group_uid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                group_name="Home",
            )
        )
    demo = accounts[0]
    guest = SimAccount(
        email=GUEST_EMAIL,
        password=GUEST_PASSWORD,
        user_id=unique_id(100_000, 999_999),
        name="Guest",
        charger_ids=demo.charger_ids,
        group_id=demo.group_id,
        group_uid=demo.group_uid,
        group_name=demo.group_name,
        profile="user",
    )
    return Fleet(accounts=tuple(accounts), guest=guest, chargers=chargers)
