"""`PeblarClient`: one Peblar charger on the home network, read and commanded.

    client = CONNECTOR.open_client(BrandLogin(PEBLAR_LOCAL, "192.168.1.20", api_token), ...)
    [charger] = await client.list_chargers()
    status = await client.get_status(charger.external_id)

A local API serves exactly one charger, so the account is the charger: `list_chargers` gives
one, and every `charger_id` must be its serial (`ProductSn`). Live state comes from the
documented REST API (token); the session history and the MID evidence from the web API's
meter log (web password; see the package docstring for what happens without it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from chargebook.clock import Clock, ensure_utc
from chargebook.domain.control import ControlCapabilities, ControlFeature
from chargebook.domain.models import Charger, ChargerSource, ChargerStatus, MidMeter, SessionRecord
from chargebook.domain.ports import PageListener
from chargebook.errors import ChargerApiError
from chargebook.peblar.history import (
    MeterLog,
    MeterLogMeta,
    MidEvidence,
    read_meter_log,
    session_records,
)
from chargebook.peblar.states import car_connected, charger_state
from chargebook.peblar.transport import PeblarTransport
from chargebook.peblar.wire import (
    BRAND,
    RestSystem,
    SystemInformation,
    read_ev_interface,
    read_health,
    read_meter,
    read_rest_system,
    read_system_information,
)

MIN_CURRENT_A = 6  # IEC 61851: the lowest current a charger may offer
# How long before a range a session may have started and still be booked by it (a car left
# plugged in over a long holiday).
LONGEST_SESSION = timedelta(days=31)
RESUME_DEFAULT_A = 6  # HA's charge switch resumes at 6 A when it knows no earlier limit

NO_LOCK = "A Peblar can only keep the cable locked in its socket, not refuse to charge"
NO_PRICE = "A Peblar keeps no energy price"
NO_RESTART = "Restarting a Peblar needs its web password (the REST API cannot restart it)"
READ_ONLY = (
    "The charger's local REST API is read-only: switch it to read-write in its web interface"
)


class PeblarClient:
    """`BrandClient` for one charger: `ChargerCloud` and `ChargerControl` at once."""

    def __init__(self, transport: PeblarTransport, *, clock: Clock, aclose_http: object) -> None:
        self._t = transport
        self._clock = clock
        self._aclose_http = aclose_http
        self._system: RestSystem | None = None
        self._info: SystemInformation | None = None
        self._meta: MeterLogMeta | None = None
        self._resume_ma: int | None = None
        self._read_only = False  # the REST API's access mode, as `sign_in` found it

    def __repr__(self) -> str:
        return f"PeblarClient({self._t!r})"

    @property
    def request_count(self) -> int:
        return self._t.request_count

    @property
    def retry_count(self) -> int:
        return self._t.retry_count

    async def sign_in(self) -> None:
        """Check the API token (REST `health`) and, when given, the web password."""
        mode = await self._t.call("GET", "health", api="rest", read=read_health)
        self._read_only = mode != "ReadWrite"
        if self._t.has_web_password:
            await self._t.web_login()

    async def aclose(self) -> None:
        close = self._aclose_http
        if callable(close):
            await close()

    # --- reads ------------------------------------------------------------------------
    async def _rest_system(self) -> RestSystem:
        if self._system is None:
            self._system = await self._t.call("GET", "system", api="rest", read=read_rest_system)
        return self._system

    async def _check(self, charger_id: str) -> RestSystem:
        system = await self._rest_system()
        if charger_id != system.serial:
            raise ChargerApiError(
                f"This Peblar charger is {system.serial}, not {charger_id}.", brand=BRAND
            )
        return system

    async def _meter_log(self, params: dict[str, str] | None = None) -> MeterLog:
        log = await self._t.call(
            "GET", "statistics/meterhistory", api="web", params=params, read=read_meter_log
        )
        if log.meta is not None:
            self._meta = log.meta
        return log

    async def mid_evidence(self) -> MidEvidence:
        """What the charger proves about its MID meter (web password needed for proof)."""
        if not self._t.has_web_password:
            return MidEvidence(None, None, None, None)
        if self._info is None:
            self._info = await self._t.call(
                "GET", "system/info", api="web", read=read_system_information
            )
        if self._meta is None:
            await self._meter_log()
        info = self._info
        return MidEvidence(
            has_meter=info.has_meter,
            meter_display=info.has_meter_display,
            eichrecht_marking=info.eichrecht_marking,
            mid_certified=self._meta.mid_certified if self._meta else None,
        )

    async def list_chargers(self) -> list[Charger]:
        system = await self._rest_system()
        evidence = await self.mid_evidence()
        info = self._info
        mid = evidence.verdict == "mid"
        return [
            Charger(
                source=ChargerSource.PEBLAR_LOCAL,
                external_id=system.serial,
                name=(info.hostname if info and info.hostname else f"Peblar {system.serial}"),
                serial_number=system.serial,
                part_number=system.part_number or None,
                model=(info.model_name if info and info.model_name else system.part_number),
                firmware_version=system.firmware or None,
                max_current_a=info.max_current_a if info else None,
                time_zone=self._meta.time_zone if self._meta else None,
                mid=MidMeter(enabled=mid, serial_number=system.serial if mid else None),
            )
        ]

    async def get_status(self, charger_id: str) -> ChargerStatus:
        system = await self._check(charger_id)
        ev = await self._t.call("GET", "evinterface", api="rest", read=read_ev_interface)
        meter = await self._t.call("GET", "meter", api="rest", read=read_meter)
        if ev.limit_ma > 0:
            self._resume_ma = ev.limit_ma
        mid = self._meta is not None and self._meta.mid_certified is True
        return ChargerStatus(
            charger_external_id=charger_id,
            observed_at=self._clock.now(),
            state=charger_state(ev.cp_state, limit_ma=ev.limit_ma),
            status_code=None,
            car_connected=car_connected(ev.cp_state),
            charging_power_kw=meter.power_total_w / 1000,
            session_energy_kwh=meter.energy_session_wh / 1000,
            session_duration_s=None,
            discharged_energy_kwh=0.0,
            locked=None,
            max_charging_current_a=ev.limit_ma // 1000,
            max_available_current_a=self._info.max_current_a if self._info else None,
            icp_max_current_a=None,
            energy_price_per_kwh=None,
            currency=None,
            firmware_version=system.firmware or None,
            firmware_update_available=False,
            eco_smart=None,
            mid=MidMeter(enabled=mid, serial_number=system.serial if mid else None),
            part_number=system.part_number or None,
        )

    async def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        """The meter log's ended sessions that ran in [start, end): one read.

        A session that started before `start` but ended after it is included too: it was
        still running when the previous range was read, so no other range would book it (the
        book keeps one row per external id, so reading it twice changes nothing). The charger
        is asked for the sessions since `start - LONGEST_SESSION` (ISO 8601 with offset,
        which it honours) up to `end`, and the range is applied again here: a charger that
        ignores the bounds returns its whole log.
        """
        system = await self._check(charger_id)
        start, end = ensure_utc(start), ensure_utc(end)
        since = start - LONGEST_SESSION
        params = {"StartTime": since.isoformat(), "StopTime": end.isoformat()}
        log = await self._meter_log(params)
        if on_page is not None:
            on_page(1, 1)
        for record in session_records(log, charger_id=charger_id, serial=system.serial):
            if _in_range(record, start, end):
                yield record

    # --- control ----------------------------------------------------------------------
    def capabilities(self, charger_id: str) -> ControlCapabilities:
        features = {ControlFeature.PAUSE_RESUME, ControlFeature.CURRENT}
        reasons = {
            ControlFeature.LOCK: NO_LOCK,
            ControlFeature.ENERGY_PRICE: NO_PRICE,
            ControlFeature.RESTART: NO_RESTART,
        }
        if self._t.has_web_password:
            features.add(ControlFeature.RESTART)
        if self._read_only:
            features -= {ControlFeature.PAUSE_RESUME, ControlFeature.CURRENT}
            reasons |= {ControlFeature.PAUSE_RESUME: READ_ONLY, ControlFeature.CURRENT: READ_ONLY}
        return ControlCapabilities(system=BRAND, features=frozenset(features), reasons=reasons)

    async def read(self, charger_id: str) -> ChargerStatus:
        return await self.get_status(charger_id)

    async def _set_limit_ma(self, charger_id: str, limit_ma: int) -> None:
        await self._check(charger_id)
        await self._t.call(
            "PATCH", "evinterface", api="rest", body={"ChargeCurrentLimit": limit_ma}
        )

    async def set_charging(self, charger_id: str, on: bool) -> None:
        """Pause: a limit of 0 A; resume: the last limit seen (6 A when none), like HA."""
        if on:
            await self._set_limit_ma(charger_id, self._resume_ma or RESUME_DEFAULT_A * 1000)
        else:
            await self._set_limit_ma(charger_id, 0)

    async def set_current(self, charger_id: str, amps: int) -> None:
        top = self._info.max_current_a if self._info else None
        if amps < MIN_CURRENT_A or (top is not None and amps > top):
            most = f"{top} A" if top else "the charger's maximum"
            raise ChargerApiError(
                f"A Peblar charges at {MIN_CURRENT_A} A to {most}, not {amps} A.", brand=BRAND
            )
        await self._set_limit_ma(charger_id, amps * 1000)
        self._resume_ma = amps * 1000

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        self.capabilities(charger_id).require(ControlFeature.LOCK)

    async def restart(self, charger_id: str) -> None:
        self.capabilities(charger_id).require(ControlFeature.RESTART)
        await self._check(charger_id)
        await self._t.call("POST", "system/reboot", api="web", body={"RebootType": "HardReboot"})

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        self.capabilities(charger_id).require(ControlFeature.ENERGY_PRICE)


def _in_range(record: SessionRecord, start: datetime, end: datetime) -> bool:
    """An ended session that ran in [start, end); a quarantined record by its raw start
    (one without a readable start in every range: the book keeps it once)."""
    if record.session is not None:
        return record.session.started_at < end and record.session.ended_at >= start
    raw_start = record.raw.get("SessionStartTime")
    if isinstance(raw_start, int) and not isinstance(raw_start, bool):
        try:
            started = datetime.fromtimestamp(raw_start, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return True
        return start - LONGEST_SESSION <= started < end
    return True
