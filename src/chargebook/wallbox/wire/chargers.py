"""Charger lists (`v3/chargers/groups`, camelCase) and summaries (`v2/charger/{id}`)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from chargebook.domain.models import (
    Charger,
    ChargerSource,
    ChargerState,
    ChargerSummary,
    ChargerTotals,
    MidMeter,
)
from chargebook.wallbox.states import state_for
from chargebook.wallbox.wire.common import WireModel, from_epoch_s

WH_PER_KWH = Decimal(1000)


class Software(WireModel):
    update_available: bool | None = Field(False, alias="updateAvailable")
    current_version: str | None = Field(None, alias="currentVersion")
    latest_version: str | None = Field(None, alias="latestVersion")


class _GroupCharger(WireModel):
    id: int
    name: str | None = None  # a charger without a name is still that charger
    status: int | None = None
    charger_type: str | None = Field(None, alias="chargerType")
    locked: bool | None = None
    max_charging_current: int | None = Field(None, alias="maxChargingCurrent")
    software: Software | None = None
    mid_enabled: bool | None = Field(False, alias="midEnabled")
    mid_status: int | None = Field(None, alias="midStatus")


class _Group(WireModel):
    id: int
    name: str | None = None
    chargers: list[_GroupCharger] = Field(default_factory=list)


class _GroupsResult(WireModel):
    groups: list[_Group]


class GroupsResponse(WireModel):
    """`GET v3/chargers/groups`."""

    result: _GroupsResult

    def to_domain(self) -> list[Charger]:
        """Every charger of every group, once (a charger can sit in nested groups)."""
        seen: dict[int, Charger] = {}
        for group in self.result.groups:
            for item in group.chargers:
                if item.id in seen:
                    continue
                seen[item.id] = Charger(
                    source=ChargerSource.WALLBOX_CLOUD,
                    external_id=str(item.id),
                    name=item.name or f"Wallbox {item.id}",
                    serial_number=None,  # the groups call does not say; v2/charger does
                    part_number=None,
                    model=item.charger_type or "Wallbox",
                    firmware_version=item.software.current_version if item.software else None,
                    max_current_a=item.max_charging_current,
                    time_zone=None,
                    mid=MidMeter(enabled=bool(item.mid_enabled), status=item.mid_status),
                    group_name=group.name,
                )
        return list(seen.values())


class _Resume(WireModel):
    """The month's aggregate of finished days. Strings holding Wh, although energyUnit says
    "kWh" (reference §2.2); at the start of a month the cloud resets it to numbers and a null
    `chargingTime` (WandDeuze README), so every total is optional: null reads as unknown."""

    total_users: int | None = Field(None, alias="totalUsers")
    total_sessions: int | None = Field(None, alias="totalSessions")
    charging_time: int | None = Field(None, alias="chargingTime")
    total_energy_wh: Decimal | None = Field(None, alias="totalEnergy")
    total_mid_energy_wh: Decimal | None = Field(None, alias="totalMidEnergy")

    def to_domain(self) -> ChargerTotals:
        return ChargerTotals(
            total_sessions=self.total_sessions,
            total_energy_kwh=_kwh(self.total_energy_wh),
            total_mid_energy_kwh=_kwh(self.total_mid_energy_wh),
            charging_time_s=self.charging_time,
            total_users=self.total_users,
        )


def _kwh(wh: Decimal | None) -> Decimal | None:
    return None if wh is None else wh / WH_PER_KWH


class ChargerData(WireModel):
    """`data.chargerData` of `GET v2/charger/{id}` and of the `PUT` write responses."""

    id: int
    name: str | None = None
    serial_number: str | None = Field(None, alias="serialNumber")
    charger_type: str | None = Field(None, alias="chargerType")
    software_version: str | None = Field(None, alias="softwareVersion")
    status: int | None = None
    # Needed to show the charger, but a reply without it still says everything else.
    locked: bool | None = None
    max_charging_current: int | None = Field(None, alias="maxChargingCurrent")
    max_available_current: int | None = Field(None, alias="maxAvailableCurrent")
    last_connection: int | None = Field(None, alias="lastConnection")
    mid_enabled: bool | None = Field(False, alias="midEnabled")
    mid_serial_number: str | None = Field(None, alias="midSerialNumber")
    mid_status: int | None = Field(None, alias="midStatus")
    resume: _Resume | None = None

    def to_domain(self, group_name: str | None = None) -> ChargerSummary:
        """The summary with totals in kWh and seconds."""
        charger = Charger(
            source=ChargerSource.WALLBOX_CLOUD,
            external_id=str(self.id),
            name=self.name or f"Wallbox {self.id}",
            serial_number=self.serial_number or None,
            part_number=None,
            model=self.charger_type or "Wallbox",
            firmware_version=self.software_version,
            max_current_a=self.max_available_current or self.max_charging_current,
            time_zone=None,
            mid=MidMeter(
                enabled=bool(self.mid_enabled),
                serial_number=self.mid_serial_number or None,
                status=self.mid_status,
            ),
            group_name=group_name,
        )
        return ChargerSummary(
            charger=charger,
            status_code=self.status,
            state=state_for(self.status) if self.status is not None else ChargerState.UNKNOWN,
            locked=self.locked,
            max_charging_current_a=self.max_charging_current,
            max_available_current_a=self.max_available_current,
            totals=self.resume.to_domain() if self.resume is not None else None,
            last_connection_at=from_epoch_s(self.last_connection),
        )


class _ChargerDataBody(WireModel):
    charger_data: ChargerData = Field(alias="chargerData")


class ChargerDataResponse(WireModel):
    """`{"data": {"chargerData": {...}}}`."""

    data: _ChargerDataBody
