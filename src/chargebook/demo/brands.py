"""The demo's chargers beside the Wallbox (issue 19): one Easee, one Zaptec and one Peblar,
each served by its simulator in-process (httpx's ASGI transport, as the Wallbox simulator)
and connected through the product's own path (`brand_connectors.connect_brand_account` with a
`BrandRegistry` whose transports reach the simulators), so their history lands in the book by
the same sync as a real account's.

    brands = DemoBrands.build(clock, seed=1, days=30)
    create_app(settings, brands=brands.registry)       # the web demo
    await brands.connect(settings, database, box, clock, owner_email=...)

Their history is kept short (`BRAND_HISTORY_DAYS`) so the demo starts in seconds: the Easee
charger was installed where its history starts, so its backfill is one or two history reads
and the client's own budget (10 history reads an hour, `chargebook.easee.budget`) is never
waited out; the simulator's server-side limits are lifted (`unlimited`), the client's kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx

from chargebook.brand_connectors import BrandRegistry, connect_brand_account
from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.db.accounts.brand_accounts import BrandAccountRepository
from chargebook.domain.brands import BrandLogin
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import BrandAccount
from chargebook.settings import Settings
from chargebook.simulator.easee import EaseeSimulator
from chargebook.simulator.easee import SimulatorConfig as EaseeSimConfig
from chargebook.simulator.peblar import DEMO_WEB_PASSWORD, PeblarSimConfig, PeblarSimulator
from chargebook.simulator.zaptec import ZaptecSimConfig, ZaptecSimulator

# Enough sessions to fill a charger page and a month's chart, few enough to sync in seconds.
BRAND_HISTORY_DAYS = 30
# The simulators' published demo logins (a Peblar's is its address and web password).
EASEE_LOGIN = ("demo@example.com", "demo-password")
ZAPTEC_LOGIN = ("demo@example.com", "demo-password")
PEBLAR_ADDRESS = "peblar.demo.invalid"  # never resolved: the transport is the simulator


@dataclass(frozen=True)
class DemoBrands:
    """The three brand simulators and the registry whose transports reach them."""

    easee: EaseeSimulator
    zaptec: ZaptecSimulator
    peblar: PeblarSimulator
    registry: BrandRegistry

    @classmethod
    def build(cls, clock: Clock, *, seed: int, days: int = BRAND_HISTORY_DAYS) -> DemoBrands:
        """One charger of each brand with `days` of deterministic history (same seed, same
        chargers and sessions)."""
        # Installed where its history starts: the client reads history from `createdOn`.
        installed = (clock.now() - timedelta(days=days + 1)).date().isoformat()
        easee = EaseeSimulator(
            EaseeSimConfig(
                seed=seed,
                chargers_per_account=1,
                days=days,
                unlimited=True,
                installed_on=installed,
            ),
            clock=clock,
        )
        # The first Zaptec of a fleet is a Go with MID observations and signed sessions.
        zaptec = ZaptecSimulator(
            ZaptecSimConfig(seed=seed, chargers_per_account=1, days=days), clock=clock
        )
        peblar = PeblarSimulator(PeblarSimConfig(seed=seed, days=days), clock=clock)
        transports = {
            ChargerSource.EASEE_CLOUD: httpx.ASGITransport(app=easee.app),
            ChargerSource.ZAPTEC_CLOUD: httpx.ASGITransport(app=zaptec.app),
            ChargerSource.PEBLAR_LOCAL: httpx.ASGITransport(app=peblar.app),
        }
        return cls(easee, zaptec, peblar, BrandRegistry(transports=transports))

    @staticmethod
    def logins() -> tuple[BrandLogin, ...]:
        """The demo accounts: Easee, Zaptec, Peblar (the order the wizard offers them)."""
        return (
            BrandLogin(ChargerSource.EASEE_CLOUD, *EASEE_LOGIN),
            BrandLogin(ChargerSource.ZAPTEC_CLOUD, *ZAPTEC_LOGIN),
            BrandLogin(ChargerSource.PEBLAR_LOCAL, PEBLAR_ADDRESS, DEMO_WEB_PASSWORD),
        )

    async def connect(
        self,
        settings: Settings,
        database: Database,
        box: SecretBox,
        clock: Clock,
        *,
        owner_email: str,
    ) -> list[BrandAccount]:
        """Each demo account connected to the owner (signed in once, as the wizard does); an
        account already in the book (a restarted demo) is taken as it is."""
        accounts = []
        for login in self.logins():
            with database.session() as session:
                existing = BrandAccountRepository(session, box, clock).find(
                    login.source, login.username
                )
            accounts.append(
                existing
                or await connect_brand_account(
                    settings,
                    database,
                    box,
                    clock,
                    login=login,
                    owner_email=owner_email,
                    registry=self.registry,
                )
            )
        return accounts
