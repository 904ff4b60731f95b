"""`EaseeClient`: one Easee Cloud account, read and commanded (the `BrandClient` port).

    client = CONNECTOR.open_client(login, base_url=None, transport=None, clock=clock,
                                   tokens=keeper, budget=CONNECTOR.new_budget(clock))
    for charger in await client.list_chargers(): ...

Every request spends the account's `EaseeBudget`; tokens live in the `TokenKeeper` (signed in
once, then refreshed). Errors are the `chargebook.errors.ChargerApiError` family only.
Control (reference §2.3): pause/resume are the `pause_charging`/`resume_charging` commands,
the current limit `set_dynamic_charger_current` (volatile: a reboot resets it to the max, so
smart charging sets it again), lock = the charger's `enabled` setting (a disabled Easee
charges nobody, like a locked Wallbox), restart = `reboot`. Easee keeps prices per site, not
per charger: the energy price is not offered.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from chargebook.clock import Clock, ensure_utc
from chargebook.domain.brands import BrandLogin, TokenKeeper
from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.models import Charger, ChargerReading, ChargerStatus, SessionRecord
from chargebook.domain.ports import PageListener
from chargebook.easee import history, wire
from chargebook.easee._http import EaseeHttp
from chargebook.easee.budget import EaseeBudget, RequestKind

CAPABILITIES = ControlCapabilities(
    system="Easee",
    features=frozenset(
        {
            ControlFeature.PAUSE_RESUME,
            ControlFeature.CURRENT,
            ControlFeature.LOCK,
            ControlFeature.RESTART,
        }
    ),
    reasons={
        ControlFeature.ENERGY_PRICE: (
            "Easee keeps the energy price per site, not per charger: set it in the Easee app"
        )
    },
)


class EaseeClient:
    """Async client for one Easee account; satisfies `chargebook.domain.brands.BrandClient`."""

    def __init__(
        self,
        login: BrandLogin,
        *,
        base_url: str,
        http: httpx.AsyncClient,
        clock: Clock,
        tokens: TokenKeeper,
        budget: EaseeBudget,
        owns_http: bool = True,
        max_retries: int = 3,
    ) -> None:
        self._clock = clock
        self._http_client, self._owns_http = http, owns_http
        self.http = EaseeHttp(
            login,
            base_url=base_url,
            http=http,
            clock=clock,
            tokens=tokens,
            budget=budget,
            max_retries=max_retries,
        )
        self._created_on: dict[str, datetime] = {}
        self._listed = False  # the charger list (with each `createdOn`) was read
        self._chargers: dict[str, Charger] = {}  # as list_chargers last read them

    def __repr__(self) -> str:
        return f"EaseeClient({self.http!r})"

    @property
    def history_window(self) -> timedelta:
        """One history request's span (`domain.ports.HistoryWindow`): the sync engine walks
        back in these, keeping its cursor after each, since 10 an hour never reach years."""
        return history.WINDOW

    @property
    def request_count(self) -> int:
        return self.http.request_count

    @property
    def retry_count(self) -> int:
        return self.http.retry_count

    async def sign_in(self) -> None:
        await self.http.sign_in()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http_client.aclose()

    # -- reads ----------------------------------------------------------------------------
    async def list_chargers(self) -> list[Charger]:
        """Every charger of the account with model, serial, firmware and max current (one
        list read, then each charger's state and config)."""
        items = await self.http.get("/api/chargers", wire.charger_items)
        chargers = []
        for item in items:
            charger_id = item["id"]
            with contextlib.suppress(ValueError):
                self._created_on[charger_id] = wire.parse_time(item.get("createdOn"))
            state = await self._object(f"/api/chargers/{charger_id}/state", "charger state")
            config = await self._object(f"/api/chargers/{charger_id}/config", "charger config")
            chargers.append(wire.charger(item, state, config))
        self._chargers = {c.external_id: c for c in chargers}
        self._listed = True
        return chargers

    async def read_overview(self) -> list[ChargerReading]:
        """Every charger with its live state (`ChargerOverview`, what the recorder polls idle
        chargers with): the sites, then one state read per site, which carries each of its
        chargers' state and config. A charger the account sees outside its own sites (shared
        with it) is read on its own."""
        now = self._clock.now()
        readings: list[ChargerReading] = []
        for site_id in await self.http.get("/api/sites", wire.site_ids):
            payload = await self._object(f"/api/sites/{site_id}/state", "site state")
            readings.extend(wire.site_readings(payload, now))
        seen = {r.charger.external_id for r in readings}
        for charger_id, known in self._chargers.items():
            if charger_id not in seen:
                readings.append(wire.reading(known, await self.get_status(charger_id)))
        return readings

    async def get_status(self, charger_id: str) -> ChargerStatus:
        state = await self._object(f"/api/chargers/{charger_id}/state", "charger state")
        config = await self._object(f"/api/chargers/{charger_id}/config", "charger config")
        return wire.status(charger_id, state, config, self._clock.now())

    async def read_ongoing(self, charger_id: str) -> dict[str, Any] | None:
        """The provisional ongoing session (its own schema, reference §2.6), or None."""
        payload: Any = await self.http.get(
            f"/api/chargers/{charger_id}/sessions/ongoing", lambda body: body
        )
        return payload if isinstance(payload, dict) else None

    async def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        """Completed sessions that started in [start, end), window by window (history.py)."""
        start, end = ensure_utc(start), ensure_utc(end)
        created = await self._created(charger_id)
        spans = list(history.windows(max(start, created) if created else start, end))
        for index, (since, until) in enumerate(spans):
            path = (
                f"/api/sessions/charger/{charger_id}/sessions/"
                f"{history.path_time(since)}/{history.path_time(until)}"
            )
            items = await self.http.get(path, history.history_items, RequestKind.HISTORY)
            if on_page is not None:
                on_page(index + 1, len(spans))
            for raw in items:
                if history.is_provisional(raw):
                    continue
                record = history.session_record(charger_id, raw)
                if record.session and not start <= record.session.started_at < end:
                    continue
                yield record

    async def _created(self, charger_id: str) -> datetime | None:
        """The charger's `createdOn`: from the last `list_chargers`, else from one plain read
        of the charger list. A client given its chargers by someone else (the connect
        wizard's backfill reuses the chargers it listed) would otherwise ask for the history
        from the sync's own start, years of windows at 10 an hour (easee/budget.py)."""
        if charger_id not in self._created_on and not self._listed:
            for item in await self.http.get("/api/chargers", wire.charger_items):
                with contextlib.suppress(ValueError):
                    self._created_on[item["id"]] = wire.parse_time(item.get("createdOn"))
            self._listed = True
        return self._created_on.get(charger_id)

    async def _object(self, path: str, what: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.http.get(path, wire.json_object(what))
        return result

    # -- control (the ChargerControl port) ------------------------------------------------
    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return CAPABILITIES

    async def read(self, charger_id: str) -> ChargerStatus:
        return await self.get_status(charger_id)

    async def set_charging(self, charger_id: str, on: bool) -> None:
        command = "resume_charging" if on else "pause_charging"
        await self.http.write(f"/api/chargers/{charger_id}/commands/{command}", None)

    async def set_current(self, charger_id: str, amps: int) -> None:
        body = {"amps": amps, "minutes": 0}  # 0: until changed (pyeasee docstring)
        await self.http.write(
            f"/api/chargers/{charger_id}/commands/set_dynamic_charger_current", body
        )

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        await self.http.write(f"/api/chargers/{charger_id}/settings", {"enabled": not locked})

    async def restart(self, charger_id: str) -> None:
        await self.http.write(f"/api/chargers/{charger_id}/commands/reboot", None)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        CAPABILITIES.require(ControlFeature.ENERGY_PRICE)


if TYPE_CHECKING:
    from chargebook.domain.brands import BrandClient
    from chargebook.domain.ports import ChargerOverview

    def _implements_port(client: EaseeClient) -> BrandClient:
        return client  # mypy proves the client satisfies the port

    def _implements_overview(client: EaseeClient) -> ChargerOverview:
        return client
