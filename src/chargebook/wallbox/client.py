"""`WallboxClient`: the Wallbox Cloud API (myWallbox) as typed async methods.

    async with WallboxClient("me@example.com", "secret") as wallbox:
        for charger in await wallbox.list_chargers():
            status = await wallbox.get_status(charger.external_id)

Every method returns chargebook domain objects in explicit units and raises only
`chargebook.wallbox.exceptions.WallboxError` subclasses. Requests share the account's
`RequestBudget`; retryable failures are retried with exponential backoff and jitter.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from chargebook.clock import Clock, ensure_utc
from chargebook.domain.models import (
    Charger,
    ChargerConfig,
    ChargerReading,
    ChargerStatus,
    ChargerSummary,
    ChargeSchedule,
    EcoSmartMode,
    SessionRecord,
)
from chargebook.domain.ports import PageListener
from chargebook.errors import ConfigurationError
from chargebook.settings import Settings
from chargebook.wallbox._base import _WallboxBase, ignore_body
from chargebook.wallbox.budget import RequestBudget
from chargebook.wallbox.confirm import (
    RemoteAction,
    confirmed_action,
    confirmed_write,
    describe_update,
)
from chargebook.wallbox.exceptions import WallboxUnsafeActionError
from chargebook.wallbox.history import SessionPage, read_range
from chargebook.wallbox.states import UPDATING_CODE
from chargebook.wallbox.tokens import EncryptedFileTokenStore, TokenStore
from chargebook.wallbox.wire.chargers import ChargerDataResponse, GroupsResponse
from chargebook.wallbox.wire.common import parse_payload
from chargebook.wallbox.wire.overview import LiveGroupsResponse
from chargebook.wallbox.wire.schedules import SchedulesResponse, schedules_body
from chargebook.wallbox.wire.sessions import parse_page
from chargebook.wallbox.wire.status import ConfigResponse, StatusResponse


class WallboxClient(_WallboxBase):
    """Async client for one myWallbox account; satisfies `ChargerCloud` (its control methods
    are the `ChargerControl` port through `wallbox.control.WallboxControl`)."""

    # MID serials per charger id ("" when the charger data has none): a meter's serial does
    # not change, so a client reads each at most once. Made on first use (per instance).
    _mid_serials_read: dict[str, str] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        email: str | None = None,
        password: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        budget: RequestBudget | None = None,
        token_store: TokenStore | None = None,
    ) -> WallboxClient:
        """A client configured from `Settings` (URLs, limits, timeout, stored tokens).

        Raises:
            ConfigurationError: no e-mail given or configured, or the secret key is unusable.
        """
        email = email or settings.wallbox_email
        if not email:
            raise ConfigurationError(
                "no myWallbox e-mail: pass --email or set CHARGEBOOK_WALLBOX_EMAIL"
            )
        if password is None and settings.wallbox_password is not None:
            password = settings.wallbox_password.get_secret_value()
        if budget is None:
            budget = RequestBudget(
                reads_per_minute=settings.wallbox_reads_per_minute,
                writes_per_minute=settings.wallbox_writes_per_minute,
                clock=clock,
                unlimited=settings.wallbox_partner_mode,
            )
        return cls(
            email,
            password,
            api_url=settings.wallbox_api_url,
            auth_url=settings.wallbox_auth_url,
            http_client=http_client,
            clock=clock,
            budget=budget,
            token_store=token_store or EncryptedFileTokenStore.from_settings(settings),
            timeout_s=settings.wallbox_timeout_s,
            max_retries=settings.wallbox_max_retries,
        )

    # -- reading --------------------------------------------------------------------------

    async def list_chargers(self, *, mid_serials: bool = False) -> list[Charger]:
        """Every charger the account can see (`v3/chargers/groups`), each once.

        The groups listing carries name, model, firmware, maximum current and whether a MID
        meter is enabled, but not the MID meter's serial. With `mid_serials`, a charger whose
        MID meter is enabled is also read once (`v2/charger/{id}`) for its serial: one extra
        read per MID charger, remembered by this client, none for the others.

        Raises:
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        groups = await self._request(
            "GET",
            "/v3/chargers/groups",
            parse=lambda data: parse_payload(GroupsResponse, data, what="groups"),
        )
        chargers = groups.to_domain()
        if not mid_serials:
            return chargers
        return [await self._with_mid_serial(charger) for charger in chargers]

    async def read_overview(self) -> list[ChargerReading]:
        """Every charger with its live state, from one groups read (`ChargerOverview`).

        What the recorder polls idle chargers with: one read for all of them. Power and
        energy may be unknown (None); MID serials already read by this client are kept.

        Raises:
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        groups, live = await self._request(
            "GET",
            "/v3/chargers/groups",
            parse=lambda data: (
                parse_payload(GroupsResponse, data, what="groups"),
                parse_payload(LiveGroupsResponse, data, what="groups"),
            ),
        )
        chargers = [await self._with_mid_serial(c, may_read=False) for c in groups.to_domain()]
        return live.readings(chargers, observed_at=self._clock.now())

    async def _with_mid_serial(self, charger: Charger, *, may_read: bool = True) -> Charger:
        """`charger` with its MID serial: read once per client (`may_read`), else as known."""
        if not charger.mid.enabled or charger.mid.serial_number:
            return charger
        if self._mid_serials_read is None:
            self._mid_serials_read = {}
        serial = self._mid_serials_read.get(charger.external_id)
        if serial is None and may_read:
            summary = await self.get_charger(charger.external_id)
            serial = summary.charger.mid.serial_number or ""
            self._mid_serials_read[charger.external_id] = serial
        if not serial:
            return charger
        mid = dataclasses.replace(charger.mid, serial_number=serial)
        return dataclasses.replace(charger, mid=mid)

    async def get_charger(self, charger_id: str) -> ChargerSummary:
        """Static facts, last state and totals (kWh, s) of one charger (`v2/charger/{id}`).

        Raises:
            WallboxNotFoundError: the account has no such charger.
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        return await self._charger_data("GET", charger_id, None)

    async def get_status(self, charger_id: str) -> ChargerStatus:
        """The live status (`chargers/status/{id}`) in kW, kWh, A, s and UTC.

        Raises:
            WallboxNotFoundError: the account has no such charger.
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        wire = await self._request(
            "GET",
            f"/chargers/status/{charger_id}",
            charger_id=charger_id,
            parse=lambda data: parse_payload(
                StatusResponse, data, what="status", charger_id=charger_id
            ),
        )
        status = wire.to_domain(charger_id, observed_at=self._clock.now())
        self._remember_status(charger_id, status.status_code)
        return status

    async def get_config(self, charger_id: str) -> ChargerConfig:
        """The configuration (`chargers/config/{id}`): price per kWh, Power Boost limit, ...

        Raises:
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        return await self._config("GET", charger_id, None)

    async def get_schedules(self, charger_id: str) -> list[ChargeSchedule]:
        """The charging schedule slots (`chargers/{id}/schedules`), local HHMM times.

        Raises:
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        wire = await self._request(
            "GET",
            f"/chargers/{charger_id}/schedules",
            charger_id=charger_id,
            parse=lambda data: parse_payload(
                SchedulesResponse, data, what="schedules", charger_id=charger_id
            ),
        )
        return wire.to_domain()

    # -- session history ------------------------------------------------------------------

    async def fetch_session_page(
        self, charger_id: str, *, start: datetime, end: datetime, limit: int = 1000, offset: int = 0
    ) -> SessionPage:
        """One page of sessions that started in [start, end] (`v4/sessions/stats`).

        Malformed items come back as records with `session=None` and a `problem`.

        Raises:
            WallboxPayloadError: the page envelope is broken (retried first; retryable).
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        params: dict[str, str | int] = {
            "charger": charger_id,
            "start_date": math.floor(ensure_utc(start).timestamp()),
            "end_date": math.ceil(ensure_utc(end).timestamp()),
            "limit": limit,
            "offset": offset,
        }
        count, records = await self._request(
            "GET",
            "/v4/sessions/stats",
            params=params,
            charger_id=charger_id,
            parse=lambda data: parse_page(data, charger_id),
        )
        return SessionPage(count=count, offset=offset, records=records)

    async def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        page_size: int = 1000,
        window: timedelta | None = None,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        """Every session that started in [start, end), page by page.

        The range is one query paged by `offset`: one read per `page_size` sessions, the
        fewest the rate limit allows (3 reads a minute). With `window`, the range is queried
        window by window instead, each window paged. Items repeated across pages or windows
        are yielded once; items whose start lies outside [start, end) are dropped; malformed
        items are yielded as quarantined records.

        Args:
            on_page: told `(pages_read, pages_expected)` after every page (progress in reads;
                the expectation follows the server's `meta.count`).

        Raises:
            WallboxError: see `chargebook.wallbox.exceptions` (after retries).
        """
        pages = read_range(
            functools.partial(self.fetch_session_page, charger_id),
            start=start,
            end=end,
            page_size=page_size,
            window=window,
            on_page=on_page,
        )
        async for record in pages:
            yield record

    # -- control --------------------------------------------------------------------------

    async def update_charger(
        self, charger_id: str, *, locked: bool | None = None, max_current_a: int | None = None
    ) -> ChargerSummary:
        """Change the lock and/or the maximum charging current (`PUT v2/charger/{id}`).

        Returns:
            The charger as the reply's `chargerData` shows it, so no extra read is spent.

        Raises:
            ValueError: nothing to change, or a negative current.
            WallboxInsufficientRightsError: the account may only read this charger.
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        body: dict[str, Any] = {}
        if locked is not None:
            body["locked"] = 1 if locked else 0
        if max_current_a is not None:
            if max_current_a < 0:
                raise ValueError("the maximum charging current cannot be negative")
            body["maxChargingCurrent"] = max_current_a
        if not body:
            raise ValueError("update_charger needs locked and/or max_current_a")

        def took_effect(summary: ChargerSummary) -> bool:
            if locked is not None and summary.locked is not locked:
                return False
            if max_current_a is None:
                return True
            shown, ceiling = summary.max_charging_current_a, summary.max_available_current_a
            # The cloud clamps a current above what the charger can give to that maximum.
            return shown == max_current_a or (
                ceiling is not None and max_current_a > ceiling and shown == ceiling
            )

        what = describe_update(locked, max_current_a)
        return await confirmed_write(
            what,
            charger_id,
            lambda: self._charger_data("PUT", charger_id, body),
            lambda: self.get_charger(charger_id),
            took_effect,
        )

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        """Lock or unlock the charger; see `update_charger`."""
        await self.update_charger(charger_id, locked=locked)

    async def set_max_current(self, charger_id: str, amps: int) -> None:
        """Set the maximum charging current in A; see `update_charger`."""
        await self.update_charger(charger_id, max_current_a=amps)

    async def resume(self, charger_id: str) -> None:
        """Start or resume charging (remote action 1)."""
        await self._remote_action(charger_id, RemoteAction.RESUME)

    async def pause(self, charger_id: str) -> None:
        """Pause charging (remote action 2); only has an effect while charging."""
        await self._remote_action(charger_id, RemoteAction.PAUSE)

    async def resume_schedule(self, charger_id: str) -> None:
        """Return to the schedule and Eco-Smart after a manual stop (remote action 9)."""
        await self._remote_action(charger_id, RemoteAction.RESUME_SCHEDULE)

    async def restart(self, charger_id: str) -> None:
        """Reboot the charger (remote action 3); offline for about 90 s.

        Raises:
            WallboxUnsafeActionError: the charger was last seen updating its firmware.
        """
        await self._remote_action(charger_id, RemoteAction.RESTART)

    async def update_firmware(self, charger_id: str) -> None:
        """Install the available firmware update (remote action 5).

        Raises:
            WallboxUnsafeActionError: the charger was last seen updating already.
        """
        await self._remote_action(charger_id, RemoteAction.UPDATE_FIRMWARE)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> ChargerConfig:
        """Set the energy price per kWh in the account's currency (`chargers/config/{id}`).

        Raises:
            ValueError: a negative price.
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        if price_per_kwh < 0:
            raise ValueError("the energy price cannot be negative")

        def took_effect(config: ChargerConfig) -> bool:
            shown = config.energy_price_per_kwh
            return shown is not None and abs(shown - price_per_kwh) < Decimal("0.00005")

        return await confirmed_write(
            f"the energy price of {price_per_kwh}/kWh",
            charger_id,
            lambda: self._config("POST", charger_id, {"energyCost": float(price_per_kwh)}),
            lambda: self.get_config(charger_id),
            took_effect,
        )

    async def set_icp_max_current(self, charger_id: str, amps: int) -> ChargerConfig:
        """Set the Power Boost grid connection limit in A (`chargers/config/{id}`)."""
        return await confirmed_write(
            f"the Power Boost limit of {amps} A",
            charger_id,
            lambda: self._config("POST", charger_id, {"icp_max_current": amps}),
            lambda: self.get_config(charger_id),
            lambda config: config.icp_max_current_a == amps,
        )

    async def set_eco_smart(
        self, charger_id: str, mode: EcoSmartMode, *, percentage: int | None = None
    ) -> None:
        """Switch Eco-Smart off, to eco (solar + grid) or full solar (`v4/.../eco-smart`).

        Raises:
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        attributes: dict[str, int] = {
            "enabled": 0 if mode is EcoSmartMode.OFF else 1,
            "mode": 1 if mode is EcoSmartMode.FULL_SOLAR else 0,
        }
        if percentage is not None:
            attributes["percentage"] = percentage
        body = {"data": {"type": "eco_smart", "attributes": attributes}}

        def took_effect(status: ChargerStatus) -> bool:
            return status.eco_smart is not None and status.eco_smart.mode is mode

        await confirmed_write(
            f"Eco-Smart {mode.value.replace('_', ' ')}",
            charger_id,
            lambda: self._request(
                "PUT",
                f"/v4/chargers/{charger_id}/eco-smart",
                body=body,
                charger_id=charger_id,
                parse=ignore_body,
            ),
            lambda: self.get_status(charger_id),
            took_effect,
        )

    async def set_schedules(
        self, charger_id: str, schedules: list[ChargeSchedule]
    ) -> list[ChargeSchedule]:
        """Replace the schedule slots; returns them as the cloud now has them."""

        def parse(data: Any) -> list[ChargeSchedule]:
            if isinstance(data, dict) and "schedules" in data:
                wire = parse_payload(SchedulesResponse, data, what="schedules")
                return wire.to_domain()
            return list(schedules)  # the reply body is undocumented; trust the accepted write

        return await confirmed_write(
            "the charging schedules",
            charger_id,
            lambda: self._request(
                "POST",
                f"/chargers/{charger_id}/schedules",
                body=schedules_body(charger_id, schedules),
                charger_id=charger_id,
                parse=parse,
            ),
            lambda: self.get_schedules(charger_id),
            lambda shown: (
                sorted(shown, key=lambda item: item.slot)
                == sorted(schedules, key=lambda item: item.slot)
            ),
        )

    # -- shared plumbing ------------------------------------------------------------------

    async def _charger_data(
        self, method: str, charger_id: str, body: dict[str, Any] | None
    ) -> ChargerSummary:
        wire = await self._request(
            method,
            f"/v2/charger/{charger_id}",
            body=body,
            charger_id=charger_id,
            parse=lambda data: parse_payload(
                ChargerDataResponse, data, what="charger", charger_id=charger_id
            ),
        )
        summary = wire.data.charger_data.to_domain()
        self._remember_status(charger_id, summary.status_code)
        return summary

    async def _config(
        self, method: str, charger_id: str, body: dict[str, Any] | None
    ) -> ChargerConfig:
        wire = await self._request(
            method,
            f"/chargers/config/{charger_id}",
            body=body,
            charger_id=charger_id,
            parse=lambda data: parse_payload(
                ConfigResponse, data, what="config", charger_id=charger_id
            ),
        )
        return wire.to_domain(charger_id)

    async def _remote_action(self, charger_id: str, action: RemoteAction) -> None:
        if action in (RemoteAction.RESTART, RemoteAction.UPDATE_FIRMWARE) and (
            self._status_codes.get(charger_id) == UPDATING_CODE
        ):
            raise WallboxUnsafeActionError(
                f"refusing to {action.name.lower().replace('_', ' ')} while the charger "
                "is updating its firmware",
                charger_id=charger_id,
            )

        async def send() -> None:
            await self._request(
                "POST",
                f"/v3/chargers/{charger_id}/remote-action",
                body={"action": int(action)},
                charger_id=charger_id,
                parse=ignore_body,
            )

        await confirmed_action(action, charger_id, send, lambda: self.get_status(charger_id))

    def _remember_status(self, charger_id: str, code: int | None) -> None:
        # An unknown code says nothing about a firmware update; keep the last one known.
        if code is not None:
            self._status_codes[charger_id] = code


if TYPE_CHECKING:
    from chargebook.domain.ports import ChargerCloud

    def _implements_ports(client: WallboxClient) -> ChargerCloud:
        # mypy proves here that the client satisfies the port (evcc's `var _ api.X = ...`).
        return client
