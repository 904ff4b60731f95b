"""The reading half of `WallboxClient`: chargers, overview, status, config, schedules, sessions.

Reads only name endpoints and convert payloads; `_base._WallboxBase` sends them (budget,
retries, tokens). The writes in `_writes.py` read a charger back through these methods.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from chargebook.clock import ensure_utc
from chargebook.domain.models import (
    Charger,
    ChargerConfig,
    ChargerReading,
    ChargerStatus,
    ChargerSummary,
    ChargeSchedule,
    SessionRecord,
)
from chargebook.domain.ports import PageListener
from chargebook.wallbox._base import _WallboxBase
from chargebook.wallbox.history import SessionPage, read_range
from chargebook.wallbox.wire.chargers import ChargerDataResponse, GroupsResponse
from chargebook.wallbox.wire.common import parse_payload
from chargebook.wallbox.wire.overview import LiveGroupsResponse
from chargebook.wallbox.wire.schedules import SchedulesResponse
from chargebook.wallbox.wire.sessions import parse_page
from chargebook.wallbox.wire.status import ConfigResponse, StatusResponse


class _WallboxReads(_WallboxBase):
    """Every read of one myWallbox account, as chargebook domain objects."""

    # MID serials per charger id ("" when the charger data has none): a meter's serial does
    # not change, so a client reads each at most once. Made on first use (per instance).
    _mid_serials_read: dict[str, str] | None = None

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

    # -- shared plumbing (the writes use it too) ------------------------------------------

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

    def _remember_status(self, charger_id: str, code: int | None) -> None:
        # An unknown code says nothing about a firmware update; keep the last one known.
        if code is not None:
            self._status_codes[charger_id] = code
