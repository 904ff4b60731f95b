"""Contract: the community client `peblar` (PyPI 2.1.0, the library Home Assistant core's Peblar
integration uses) works unchanged against the simulator, with only its host pointed at it.

`peblar` builds `http://<host>/api/v1/` and `http://<host>/api/wlac/v1/` itself: its host
cannot carry a port (yarl refuses "127.0.0.1:8080"), so the simulator is served by uvicorn on
port 80 of a loopback address of its own (127.80.19.x; binding port 80 needs the right to,
else these tests skip and say so). Everything the library offers is called: the web login,
the REST API it hands out (`rest_api()`), system, meter, EV interface and every control, the
user configuration and every setting it writes, the actions, the RFID and vehicle lists, the
schedule and the meter history.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from peblar.const import LedBrightness, PackageType, SoundVolume

from chargebook.clock import FixedClock
from chargebook.simulator.peblar import PeblarSimConfig, PeblarSimulator
from chargebook.simulator.serve import ServedApp
from peblar import (
    AccessMode,
    CPState,
    Peblar,
    PeblarApi,
    PeblarAuthenticationError,
    PeblarBadRequestError,
    SmartChargingMode,
)

HOST = "127.80.19.7"
START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _port_80_free(host: str) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, 80))
        except OSError:
            return False
    return True


@pytest.fixture
def served() -> Iterator[PeblarSimulator]:
    if not _port_80_free(HOST):
        pytest.skip(f"cannot serve on {HOST}:80 (python-peblar's host takes no port)")
    clock = FixedClock(START)
    sim = PeblarSimulator(PeblarSimConfig(seed=3, days=20), clock=clock)
    # Ten minutes into the last session of the log: a car charges.
    clock.set(sim.log.started(START)[-1].plugged_at + timedelta(minutes=10))
    with ServedApp(sim.app, host=HOST, port=80):
        yield sim


@pytest.fixture
async def peblar(served: PeblarSimulator) -> AsyncIterator[Peblar]:
    async with Peblar(host=HOST) as client:
        await client.login(password="demo-password")
        yield client


async def test_wrong_web_password_is_an_authentication_error(served: PeblarSimulator) -> None:
    async with Peblar(host=HOST) as client:
        with pytest.raises(PeblarAuthenticationError):
            await client.login(password="not-the-password")


async def test_rest_api_handed_out_by_the_web_api(peblar: Peblar, served: PeblarSimulator) -> None:
    api = await peblar.rest_api(enable=True, access_mode=AccessMode.READ_WRITE)
    async with api:
        assert api.token == served.api_token
        health = await api.health()
        assert health.access_mode is AccessMode.READ_WRITE
        system = await api.system()
        assert system.product_serial_number == served.hardware.serial
        assert system.phase_count == 3
        assert system.firmware_version == "1.9.0+1+WL-1"
        meter = await api.meter()
        assert meter.energy_total == served.log.register_mwh(served.clock.now()) // 1000
        assert meter.power_total > 0  # charging
        ev = await api.ev_interface()
        assert ev.cp_state is CPState.CHARGING
        assert ev.charge_current_limit == 16000


async def test_every_rest_control(peblar: Peblar, served: PeblarSimulator) -> None:
    async with await peblar.rest_api() as api:
        ev = await api.ev_interface(charge_current_limit=10000)
        assert ev.charge_current_limit == 10000
        assert served.ev.limit_ma == 10000
        ev = await api.ev_interface(force_single_phase=True)
        assert ev.force_single_phase is True
        ev = await api.set_ev_interface(charge_current_limit=0, force_single_phase=False)
        assert ev.charge_current_limit == 0
        assert ev.cp_state is CPState.CHARGING_SUSPENDED  # paused the way HA's switch pauses
        with pytest.raises(PeblarBadRequestError):
            await api.ev_interface(charge_current_limit=3000)  # below 6 A
        await api.authorize_charge_session(token="04:ABCDEF")
        assert served.actions.authorizations == [{"Method": "Rfid", "Token": "04:ABCDEF"}]


async def test_a_token_the_reboot_invalidated_is_refreshed(
    peblar: Peblar, served: PeblarSimulator
) -> None:
    api = await peblar.rest_api()
    async with api:
        old = api.token
        await peblar.reboot()
        assert served.actions.reboots == 1
        system = await api.system()  # 401, the library logs in again and fetches the token
        assert system.product_serial_number == served.hardware.serial
        assert api.token != old
        assert api.token == served.api_token


async def test_a_bare_token_works_without_the_web_api(served: PeblarSimulator) -> None:
    async with PeblarApi(host=HOST, token=served.api_token) as api:
        assert (await api.meter()).energy_total > 0
    async with PeblarApi(host=HOST, token="0" * 64) as api:
        with pytest.raises(PeblarAuthenticationError):
            await api.meter()


async def test_system_information_and_versions(peblar: Peblar, served: PeblarSimulator) -> None:
    info = await peblar.system_information()
    assert info.hardware_has_meter is True
    assert info.hardware_has_eichrecht_laser_marking is False
    assert info.product_vendor_name == "Peblar"
    assert info.hardware_max_current == 16
    current = await peblar.current_versions()
    available = await peblar.available_versions(use_cache=False)
    assert str(current.firmware_version) == "1.9.0"
    assert available.customization == "Peblar-1.14"
    assert (await peblar.auth_status()).active is True
    assert await peblar.time_synced() is True
    assert (await peblar.connector()).plugged_in_ev is True
    assert (await peblar.session_graph()).data[0].average_power_total > 0
    assert (await peblar.energy_history()).months == []
    assert await peblar.web_interface_mode() == "Normal"


async def test_user_configuration_and_every_setting(
    peblar: Peblar, served: PeblarSimulator
) -> None:
    user = await peblar.user_configuration()
    assert user.smart_charging is SmartChargingMode.DEFAULT
    assert user.time_zone == "Europe/Amsterdam"
    await peblar.smart_charging(SmartChargingMode.PURE_SOLAR)
    assert (await peblar.user_configuration()).smart_charging is SmartChargingMode.PURE_SOLAR
    await peblar.smart_charging(SmartChargingMode.SCHEDULED)
    assert (await peblar.user_configuration()).smart_charging is SmartChargingMode.SCHEDULED
    await peblar.socket_lock(locked=True)
    await peblar.set_buzzer_volume(volume=SoundVolume.HIGH)
    await peblar.set_led_brightness(brightness=LedBrightness.DIM)
    user = await peblar.user_configuration()
    assert user.user_keep_socket_locked is True
    assert user.buzzer_volume is SoundVolume.HIGH
    assert user.led_brightness is LedBrightness.DIM
    await peblar.modbus_api(enable=True, access_mode=AccessMode.READ_WRITE)
    assert served.user["ModbusServerEnable"] is True


async def test_actions(peblar: Peblar, served: PeblarSimulator) -> None:
    await peblar.identify()
    await peblar.socket_unlock()  # firmware 1.9: the pre-1.10 path
    await peblar.update(package_type=PackageType.CUSTOMIZATION)
    old = await peblar.api_token()
    new = await peblar.api_token(generate_new_api_token=True)
    assert new != old
    assert served.actions.identify == 1
    assert served.actions.socket_unlocks == 1
    assert served.actions.updates == ["Customization"]


async def test_rfid_vehicle_lists_and_schedule(peblar: Peblar) -> None:
    await peblar.add_rfid_token(rfid_token_uid="0123456789ABCD", rfid_token_description="Mine")
    [token] = await peblar.rfid_tokens()
    assert (await peblar.rfid_token(uid=token.rfid_token_uid)).rfid_token_description == "Mine"
    await peblar.delete_rfid_token(uid="0123456789ABCD")
    assert await peblar.rfid_tokens() == []
    await peblar.add_vehicle_token(evcc_id="EVCC01", alias="Car")
    assert [v.alias for v in await peblar.vehicle_tokens()] == ["Car"]
    await peblar.delete_vehicle_token(evcc_id="EVCC01")
    schedule = await peblar.scheduled_charging()
    await peblar.set_scheduled_charging(schedule)


async def test_meter_history_is_the_simulated_meter_log(
    peblar: Peblar, served: PeblarSimulator
) -> None:
    history = await peblar.meter_history()
    assert history.meta_data is not None
    assert history.meta_data.mid_certified is True
    assert history.meta_data.product_sn == served.hardware.serial
    now = served.clock.now()
    planned = served.log.started(now)
    assert [s.session_number for s in history.session] == [p.number for p in planned]
    first = history.session[0]
    assert first.session_start_energy_mwh == planned[0].start_mwh
    assert first.session_end_energy_mwh == planned[0].start_mwh + planned[0].energy_mwh
    assert history.session[-1].session_end_time is None  # the car still charges
    recent = await peblar.meter_history(start=now - timedelta(days=3), stop=now)
    assert 0 < len(recent.session) < len(history.session)
    empty = await peblar.meter_history(start=now + timedelta(days=1))
    assert empty.session == []


@pytest.mark.parametrize("variant", ["home_1p", "whitelabel", "business_eichrecht"])
async def test_the_library_reads_every_variant(variant: str) -> None:
    if not _port_80_free(HOST):
        pytest.skip(f"cannot serve on {HOST}:80 (python-peblar's host takes no port)")
    sim = PeblarSimulator(PeblarSimConfig(seed=5, variant=variant), clock=FixedClock(START))
    with ServedApp(sim.app, host=HOST, port=80):
        async with Peblar(host=HOST) as client:
            await client.login(password="demo-password")
            info = await client.system_information()
            async with await client.rest_api() as api:
                meter = await api.meter()
                system = await api.system()
    assert info.product_vendor_name == sim.hardware.vendor
    assert info.hardware_has_eichrecht_laser_marking is (variant == "business_eichrecht")
    assert system.phase_count == sim.hardware.phases
    if variant == "home_1p":
        assert meter.current_phase_2 is None  # left out, not reported as 0
        assert meter.current_total == meter.current_phase_1
