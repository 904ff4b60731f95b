"""`ZaptecClient`: one Zaptec account as chargebook's `BrandClient` (`ChargerCloud` for the
sync engine and `ChargerControl` for the control port).

Reads: `chargers` (paged), `chargerFirmware/installation/{id}`, `chargers/{id}/state` and
`chargehistory` (paged by `PageIndex`/`PageSize`, sorted by start so new sessions land on
later pages). Commands: `chargers/{id}/sendCommand/{id}` (506 StopChargingFinal to pause,
507 ResumeCharging, 102 RestartCharger) and `chargers/{id}/update` (`maxChargeCurrent`).
Only documented endpoints are used (Zaptec's fair-use policy), so there is no cable lock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chargebook.clock import Clock, ensure_utc
from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.models import Charger, ChargerStatus, MidMeter, SessionRecord
from chargebook.domain.ports import PageListener
from chargebook.errors import ApiPayloadError, ChargerApiError
from chargebook.zaptec import history, wire
from chargebook.zaptec._http import BRAND, ZaptecHttp
from chargebook.zaptec.status import is_paused, status_from
from chargebook.zaptec.times import format_query_time

CHARGER_PAGE_SIZE = 100
HISTORY_PAGE_SIZE = 500  # Zaptec's default; its maximum is 5000 (swagger, reference §3.2)
MAX_CURRENT_A = 32

# Commands (constants `Commands`, reference §3.5).
RESTART_CHARGER = 102
STOP_CHARGING_FINAL = 506
RESUME_CHARGING = 507

CAPABILITIES = ControlCapabilities(
    system="Zaptec",
    features=frozenset(
        {ControlFeature.PAUSE_RESUME, ControlFeature.CURRENT, ControlFeature.RESTART}
    ),
    reasons={
        ControlFeature.LOCK: (
            "Zaptec locks the cable only through an undocumented call, which Zaptec's "
            "fair-use policy forbids integrations to use"
        ),
        ControlFeature.ENERGY_PRICE: "Zaptec's API has no energy price per charger",
    },
)


class ZaptecClient:
    """One Zaptec account; build it with `chargebook.zaptec.connector.CONNECTOR`."""

    def __init__(
        self,
        http: ZaptecHttp,
        *,
        clock: Clock,
        close: Any = None,
        history_page_size: int = HISTORY_PAGE_SIZE,
        history_end_margin: timedelta = timedelta(days=7),
    ) -> None:
        self._http = http
        self._clock = clock
        self._close = close
        self.history_page_size = history_page_size
        # Whether `From`/`To` filter a session's start or its end is undocumented: `To` is
        # widened so a session that started in range but ended after it is still returned;
        # what started after the range is dropped here.
        self.history_end_margin = history_end_margin
        # id -> (model, serial, firmware), from the last charger list
        self._models: dict[str, tuple[str, str | None, str | None]] = {}

    @property
    def request_count(self) -> int:
        return self._http.request_count

    @property
    def retry_count(self) -> int:
        return self._http.retry_count

    @property
    def sign_ins(self) -> int:
        return self._http.sign_ins

    async def sign_in(self) -> None:
        await self._http.sign_in()

    async def aclose(self) -> None:
        if self._close is not None:
            await self._close()

    def __repr__(self) -> str:
        return f"ZaptecClient(username={self._http.username!r}, base_url={self._http.base_url!r})"

    # -- ChargerCloud ----------------------------------------------------------------------

    async def list_chargers(self) -> list[Charger]:
        items = await self._all_pages(
            "/api/chargers", "charger list", {"PageSize": CHARGER_PAGE_SIZE}
        )
        firmware: dict[str, str] = {}
        installations = {i.get("InstallationId") for i in items if isinstance(i, dict)}
        for installation in sorted(i for i in installations if isinstance(i, str)):
            try:
                firmware.update(
                    await self._http.get(
                        f"/api/chargerFirmware/installation/{installation}",
                        wire.firmware_versions,
                    )
                )
            except ChargerApiError as exc:
                if exc.retryable:
                    raise
                # 403 for a user who is not the installation's owner: firmware stays unknown.
        chargers = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("Id"), str):
                raise ApiPayloadError("a Zaptec charger in the list has no Id", brand=BRAND)
            state = await self._state(item["Id"])
            charger = wire.charger_from(item, state, firmware)
            self._models[charger.external_id] = (
                charger.model,
                charger.serial_number,
                charger.firmware_version,
            )
            chargers.append(charger)
        return chargers

    async def get_status(self, charger_id: str) -> ChargerStatus:
        if charger_id not in self._models:
            await self.list_chargers()
        if charger_id not in self._models:
            raise ChargerApiError(f"this Zaptec account has no charger {charger_id}", brand=BRAND)
        model, serial, firmware = self._models[charger_id]
        state = await self._state(charger_id)
        mid: MidMeter = wire.mid_evidence(model, serial, state)
        return status_from(
            charger_id, state, observed_at=self._clock.now(), mid=mid, firmware=firmware
        )

    async def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        start, end = ensure_utc(start), ensure_utc(end)
        if start >= end:
            return
        params: dict[str, str | int] = {
            "ChargerId": charger_id,
            "From": format_query_time(start),
            "To": format_query_time(end + self.history_end_margin),
            "DetailLevel": 1,
            "SortProperty": "StartDateTime",
            "SortDescending": "false",
            "PageSize": self.history_page_size,
        }
        seen: set[str] = set()
        index = 0
        while True:
            pages, items = await self._http.get(
                "/api/chargehistory",
                lambda p: wire.paged(p, "charge history"),
                {**params, "PageIndex": index},
            )
            index += 1
            done = not items or index >= pages
            if on_page is not None:
                on_page(index, index if done else max(pages, index + 1))
            for item in items:
                record = history.parse_item(item, charger_id)
                if record.external_id is not None:
                    if record.external_id in seen:  # a page shifted under us
                        continue
                    seen.add(record.external_id)
                if record.session and not start <= record.session.started_at < end:
                    continue
                yield record
            if done:
                return

    # -- ChargerControl -------------------------------------------------------------------

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return CAPABILITIES

    async def read(self, charger_id: str) -> ChargerStatus:
        return await self.get_status(charger_id)

    async def set_charging(self, charger_id: str, on: bool) -> None:
        """Resume (507, only when paused) or pause (506 StopChargingFinal, only while a car
        is connected and not yet paused): Zaptec refuses them otherwise (reference §3.5), so
        the state is read first and an order already carried out is not sent."""
        state = await self._state(charger_id)
        paused = is_paused(state)
        mode = wire.number(state, wire.OPERATION_MODE)
        if on and paused:
            await self._command(charger_id, RESUME_CHARGING)
        elif not on and not paused and mode in (2, 3):
            await self._command(charger_id, STOP_CHARGING_FINAL)

    async def set_current(self, charger_id: str, amps: int) -> None:
        if isinstance(amps, bool) or not isinstance(amps, int) or not 0 <= amps <= MAX_CURRENT_A:
            raise ChargerApiError(
                f"a Zaptec charging current is 0 to {MAX_CURRENT_A} A, not {amps!r}", brand=BRAND
            )
        await self._http.post(f"/api/chargers/{charger_id}/update", {"maxChargeCurrent": amps})

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        CAPABILITIES.require(ControlFeature.LOCK)

    async def restart(self, charger_id: str) -> None:
        await self._command(charger_id, RESTART_CHARGER)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        CAPABILITIES.require(ControlFeature.ENERGY_PRICE)

    # -- helpers ------------------------------------------------------------------------

    async def _command(self, charger_id: str, command: int) -> None:
        await self._http.post(f"/api/chargers/{charger_id}/sendCommand/{command}")

    async def _state(self, charger_id: str) -> dict[int, wire.Observation]:
        return await self._http.get(f"/api/chargers/{charger_id}/state", wire.observations)

    async def _all_pages(self, path: str, what: str, params: dict[str, str | int]) -> list[Any]:
        items: list[Any] = []
        index = 0
        while True:
            pages, data = await self._http.get(
                path, lambda p: wire.paged(p, what), {**params, "PageIndex": index}
            )
            items.extend(data)
            index += 1
            if not data or index >= pages:
                return items


if TYPE_CHECKING:
    from chargebook.domain.brands import BrandClient

    def _implements_port(client: ZaptecClient) -> BrandClient:
        return client  # mypy proves the client satisfies the port
