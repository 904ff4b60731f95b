"""A fake brand for the wiring tests of issue 19: a `BrandConnector` whose client serves a
small fleet kept in memory (no HTTP), honest enough to fail: it refuses a wrong login, signs
in once and keeps its token in the `TokenKeeper` it is given, counts the requests it spends
on the budget it is given, serves sessions by start time, and records every command.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from chargebook.brand_connectors import BrandRegistry
from chargebook.clock import Clock
from chargebook.domain.brands import BrandLogin, TokenKeeper
from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.models import (
    Charger,
    ChargerSource,
    ChargerState,
    ChargerStatus,
    ChargingSession,
    MidMeter,
    SessionRecord,
)
from chargebook.domain.ports import PageListener
from chargebook.errors import ChargerApiError, SignInRefusedError

OWNER_EMAIL = "owner@example.com"
OWNER_SECRET = "owner-password"
GUEST_EMAIL = "guest@example.com"
GUEST_SECRET = "guest-password"
START = datetime.fromisoformat("2026-02-20T08:00:00+00:00")  # before the tests' clock


@dataclass
class FakeBudget:
    """A budget the connector made: the requests spent on it."""

    spent: int = 0


@dataclass
class FakeFleet:
    """What the fake API knows: logins, each login's chargers and their sessions."""

    source: ChargerSource = ChargerSource.EASEE_CLOUD
    logins: dict[str, str] = field(default_factory=dict)
    chargers: dict[str, list[Charger]] = field(default_factory=dict)  # by username
    sessions: dict[str, list[ChargingSession]] = field(default_factory=dict)  # by charger id
    sign_ins: int = 0
    commands: list[tuple[str, str, object]] = field(default_factory=list)
    fail_next: ChargerApiError | None = None  # raised by the next request

    def charger(self, external_id: str, *, model: str, mid: MidMeter | None = None) -> Charger:
        return Charger(
            source=self.source,
            external_id=external_id,
            name=f"Charger {external_id}",
            serial_number=f"SN-{external_id}",
            part_number=None,
            model=model,
            firmware_version="1.0",
            max_current_a=32,
            time_zone="Europe/Amsterdam",
            mid=mid or MidMeter(enabled=False),
        )

    def add_charger(self, username: str, charger: Charger, sessions: int = 3) -> None:
        self.chargers.setdefault(username, []).append(charger)
        self.sessions[charger.external_id] = [
            ChargingSession(
                source=self.source,
                external_id=f"{charger.external_id}-s{n}",
                charger_external_id=charger.external_id,
                started_at=START + timedelta(days=n),
                ended_at=START + timedelta(days=n, hours=2),
                energy_kwh=Decimal("7.5") + n,
                mid_energy_kwh=None,
                discharged_energy_kwh=Decimal(0),
                duration_s=7200,
            )
            for n in range(sessions)
        ]


class FakeClient:
    """One account's client (a `BrandClient`)."""

    def __init__(
        self, fleet: FakeFleet, name: str, login: BrandLogin, tokens: TokenKeeper, budget: object
    ) -> None:
        self._fleet, self._name, self._login = fleet, name, login
        self._tokens = tokens
        assert isinstance(budget, FakeBudget)
        self.budget = budget
        self.closed = False

    async def sign_in(self) -> None:
        self._spend()
        self._fleet.sign_ins += 1
        if self._fleet.logins.get(self._login.username) != self._login.secret:
            raise SignInRefusedError(f"{self._name} refused the login", brand=self._name)
        self._tokens.save({"access_token": f"token-for-{self._login.username}"})

    async def aclose(self) -> None:
        self.closed = True

    async def _signed_in(self) -> None:
        tokens = self._tokens.load()
        if tokens is None or tokens.get("access_token") != f"token-for-{self._login.username}":
            await self.sign_in()
        self._spend()

    def _spend(self) -> None:
        self.budget.spent += 1
        failure, self._fleet.fail_next = self._fleet.fail_next, None
        if failure is not None:
            raise failure

    async def list_chargers(self) -> list[Charger]:
        await self._signed_in()
        return list(self._fleet.chargers.get(self._login.username, []))

    async def get_status(self, charger_id: str) -> ChargerStatus:
        await self._signed_in()
        return ChargerStatus(
            charger_external_id=charger_id,
            observed_at=START,
            state=ChargerState.CHARGING,
            status_code=None,
            car_connected=True,
            charging_power_kw=7.2,
            session_energy_kwh=1.5,
            session_duration_s=600,
            discharged_energy_kwh=0.0,
            locked=None,
            max_charging_current_a=16,
            max_available_current_a=32,
            icp_max_current_a=None,
            energy_price_per_kwh=None,
            currency=None,
            firmware_version="1.0",
            firmware_update_available=False,
            eco_smart=None,
            mid=MidMeter(enabled=False),
        )

    async def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        await self._signed_in()
        if on_page is not None:
            on_page(1, 1)
        for session in self._fleet.sessions.get(charger_id, []):
            if start <= session.started_at < end:
                raw: Mapping[str, object] = {
                    "id": session.external_id,
                    "kwh": str(session.energy_kwh),
                    "start": session.started_at.isoformat(),
                }
                yield SessionRecord(
                    self._fleet.source, charger_id, session.external_id, raw, session
                )

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return ControlCapabilities(
            system=self._name,
            features=frozenset({ControlFeature.PAUSE_RESUME, ControlFeature.CURRENT}),
        )

    async def read(self, charger_id: str) -> ChargerStatus:
        return await self.get_status(charger_id)

    async def set_charging(self, charger_id: str, on: bool) -> None:
        await self._signed_in()
        self._fleet.commands.append((charger_id, "charging", on))

    async def set_current(self, charger_id: str, amps: int) -> None:
        await self._signed_in()
        self._fleet.commands.append((charger_id, "current", amps))

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        self.capabilities(charger_id).require(ControlFeature.LOCK)

    async def restart(self, charger_id: str) -> None:
        self.capabilities(charger_id).require(ControlFeature.RESTART)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        self.capabilities(charger_id).require(ControlFeature.ENERGY_PRICE)


class FakeConnector:
    """A `BrandConnector` over a `FakeFleet`; keeps the clients and budgets it made."""

    def __init__(self, fleet: FakeFleet, *, name: str = "Easee") -> None:
        self.fleet = fleet
        self._name = name
        self.clients: list[FakeClient] = []
        self.budgets: list[FakeBudget] = []
        self.base_urls: list[str | None] = []

    @property
    def source(self) -> ChargerSource:
        return self.fleet.source

    @property
    def name(self) -> str:
        return self._name

    @property
    def login_labels(self) -> tuple[str, str]:
        if self.fleet.source is ChargerSource.PEBLAR_LOCAL:
            return ("Address on your network", "Web password")
        return ("E-mail", "Password")

    @property
    def default_base_url(self) -> str | None:
        return None if self.fleet.source is ChargerSource.PEBLAR_LOCAL else "https://fake.test"

    def new_budget(self, clock: Clock) -> object:
        budget = FakeBudget()
        self.budgets.append(budget)
        return budget

    def open_client(
        self,
        login: BrandLogin,
        *,
        base_url: str | None,
        transport: object | None,
        clock: Clock,
        tokens: TokenKeeper,
        budget: object,
    ) -> FakeClient:
        self.base_urls.append(base_url)
        client = FakeClient(self.fleet, self._name, login, tokens, budget)
        self.clients.append(client)
        return client


def easee_fleet() -> FakeFleet:
    """Two owners' Easee chargers: the owner's two, the guest's one."""
    fleet = FakeFleet(logins={OWNER_EMAIL: OWNER_SECRET, GUEST_EMAIL: GUEST_SECRET})
    fleet.add_charger(OWNER_EMAIL, fleet.charger("EH100001", model="Easee Home"))
    fleet.add_charger(OWNER_EMAIL, fleet.charger("EH100002", model="Easee Home"), sessions=2)
    fleet.add_charger(GUEST_EMAIL, fleet.charger("EH200001", model="Easee Charge"), sessions=1)
    return fleet


def registry_with(*connectors: FakeConnector) -> BrandRegistry:
    """A registry of these connectors only (no transports: the fakes need none)."""
    return BrandRegistry({connector.source: connector for connector in connectors})
