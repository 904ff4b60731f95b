"""chargebook's Peblar client against the simulator: sign-in, token refresh, the charger, its
live state, the meter log as sessions, and every control."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.brands import BrandClient, MemoryTokenKeeper
from chargebook.domain.control import ControlFeature, ControlNotSupportedError
from chargebook.domain.models import ChargerState
from chargebook.errors import ChargerApiError, SignInRefusedError
from chargebook.peblar import CONNECTOR, PeblarClient
from chargebook.peblar.connector import base_url_for
from chargebook.simulator.peblar import PeblarSimulator

Opener = Callable[..., PeblarClient]  # the `open_client` fixture (conftest.py)


async def test_the_client_is_a_brand_client(open_client: Opener) -> None:
    client = open_client()
    assert isinstance(client, BrandClient)
    assert CONNECTOR.login_labels == ("Address on your network", "Web password")
    assert CONNECTOR.default_base_url is None


async def test_sign_in_checks_the_token_and_the_web_password(
    open_client: Opener, sim: PeblarSimulator
) -> None:
    await open_client().sign_in()
    await open_client(web_password=None).sign_in()
    with pytest.raises(SignInRefusedError, match="refused the API token"):
        await open_client(token="f" * 64, web_password=None).sign_in()
    with pytest.raises(SignInRefusedError, match="refused the web password"):
        await open_client(web_password="wrong").sign_in()


async def test_a_wrong_token_is_repaired_with_the_web_password(
    open_client: Opener, sim: PeblarSimulator
) -> None:
    tokens = MemoryTokenKeeper()
    client = open_client(token="f" * 64, tokens=tokens)
    await client.sign_in()
    assert (tokens.load() or {})["api_token"] == sim.api_token


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("192.168.1.20", "http://192.168.1.20"),
        (" peblar.local ", "http://peblar.local"),
        ("http://10.0.0.5:8080/", "http://10.0.0.5:8080"),
    ],
)
def test_the_address_becomes_the_base_url(address: str, url: str) -> None:
    assert base_url_for(address) == url


@pytest.mark.parametrize("address", ["", "not an address", "ftp://x", "host/path", "h:99999"])
def test_a_bad_address_is_refused_in_words(address: str) -> None:
    with pytest.raises(SignInRefusedError, match="not an address on your network"):
        base_url_for(address)


async def test_one_web_login_serves_many_calls(open_client: Opener, sim: PeblarSimulator) -> None:
    client = open_client()
    [charger] = await client.list_chargers()
    for _ in range(3):
        [
            _
            async for _ in client.iter_sessions(
                charger.external_id, start=sim.clock.now() - timedelta(days=30), end=sim.clock.now()
            )
        ]
    assert sim.logins == 1


async def test_after_a_reboot_the_new_token_is_fetched_once(
    open_client: Opener, sim: PeblarSimulator
) -> None:
    tokens = MemoryTokenKeeper()
    client = open_client(tokens=tokens)
    [charger] = await client.list_chargers()
    old = sim.api_token
    sim.reboot()  # the charger forgets the web session and issues a new API token
    status = await client.get_status(charger.external_id)
    assert status.state is ChargerState.CHARGING
    assert sim.api_token != old
    assert (tokens.load() or {})["api_token"] == sim.api_token
    assert sim.logins == 2


async def test_after_a_reboot_without_web_password_the_owner_is_told(
    open_client: Opener, sim: PeblarSimulator
) -> None:
    client = open_client(web_password=None)
    [charger] = await client.list_chargers()
    sim.reboot()
    with pytest.raises(SignInRefusedError, match="changes when the charger restarts"):
        await client.get_status(charger.external_id)


async def test_the_charger_with_its_mid_evidence(open_client: Opener, sim: PeblarSimulator) -> None:
    client = open_client()
    [charger] = await client.list_chargers()
    hw = sim.hardware
    assert charger.external_id == charger.serial_number == hw.serial
    assert charger.model == "WLAC1-H11R0WE0ICR00"
    assert charger.part_number == hw.part_number
    assert charger.firmware_version == "1.9.0+1+WL-1"
    assert charger.max_current_a == 16
    assert charger.time_zone == "Europe/Amsterdam"
    assert charger.mid.present
    evidence = await client.mid_evidence()
    assert evidence.verdict == "mid"
    assert evidence.has_meter
    assert evidence.eichrecht_marking is False


async def test_without_the_web_password_mid_stays_unknown(open_client: Opener) -> None:
    client = open_client(web_password=None)
    [charger] = await client.list_chargers()
    assert not charger.mid.present
    assert charger.max_current_a is None
    assert (await client.mid_evidence()).verdict == "unknown"


async def test_a_meter_log_that_denies_mid_is_not_mid(
    make_sim: object, open_client: Opener
) -> None:
    sim = make_sim(mid_certified=False)  # type: ignore[operator]
    client = open_client(simulator=sim)
    [charger] = await client.list_chargers()
    assert not charger.mid.present
    assert (await client.mid_evidence()).verdict == "not_mid"


async def test_live_state_charging_paused_and_ready(
    open_client: Opener, sim: PeblarSimulator, peblar_clock: FixedClock
) -> None:
    client = open_client()
    [charger] = await client.list_chargers()
    status = await client.get_status(charger.external_id)
    assert status.state is ChargerState.CHARGING
    assert status.car_connected
    assert status.charging_power_kw == sim.power_w(peblar_clock.now()) / 1000
    assert status.max_charging_current_a == 16
    assert status.session_energy_kwh == sim.meter()["EnergySession"] / 1000
    assert status.mid.present
    await client.set_charging(charger.external_id, False)
    paused = await client.read(charger.external_id)
    assert paused.state is ChargerState.PAUSED
    assert paused.charging_power_kw == 0
    peblar_clock.advance(timedelta(days=1, hours=-12))  # the next morning: the car left
    assert sim.log.current(peblar_clock.now()) is None
    assert (await client.read(charger.external_id)).state is ChargerState.READY


async def test_sessions_are_the_meter_log(open_client: Opener, sim: PeblarSimulator) -> None:
    client = open_client()
    [charger] = await client.list_chargers()
    now = sim.clock.now()
    pages: list[tuple[int, int]] = []
    records = [
        r
        async for r in client.iter_sessions(
            charger.external_id,
            start=now - timedelta(days=60),
            end=now,
            on_page=lambda done, total: pages.append((done, total)),
        )
    ]
    ended = sim.log.ended(now)
    assert pages == [(1, 1)]
    assert [r.external_id for r in records] == [f"{sim.hardware.serial}:{s.number}" for s in ended]
    assert len(ended) == len(sim.log.started(now)) - 1  # the running one waits until it ended
    first, planned = records[0].session, ended[0]
    assert first is not None
    assert first.started_at == planned.plugged_at.replace(microsecond=0)
    assert first.energy_kwh == Decimal(planned.energy_mwh) / 1_000_000
    assert first.mid_energy_kwh == first.energy_kwh
    assert first.meter_start_wh == planned.start_mwh // 1000
    assert records[0].raw["SessionNumber"] == 1


async def test_bounds_are_applied(open_client: Opener, sim: PeblarSimulator) -> None:
    client = open_client()
    [charger] = await client.list_chargers()
    now = sim.clock.now()
    straddling = [s for s in sim.log.ended(now) if s.plugged_at < now - timedelta(days=5)][-1]
    start = straddling.plugged_at + timedelta(minutes=1)
    records = [r async for r in client.iter_sessions(charger.external_id, start=start, end=now)]
    # Ran in the range: also the one still running when the range began.
    expected = [s for s in sim.log.ended(now) if s.unplugged_at >= start]
    assert expected[0].plugged_at < start <= expected[0].unplugged_at
    assert [r.external_id for r in records] == [
        f"{sim.hardware.serial}:{s.number}" for s in expected
    ]


async def test_corrupted_records_are_quarantined_not_dropped(
    make_sim: object, open_client: Opener
) -> None:
    sim = make_sim(bad_session_rate=0.5)  # type: ignore[operator]
    client = open_client(simulator=sim)
    [charger] = await client.list_chargers()
    now = sim.clock.now()
    records = [
        r
        async for r in client.iter_sessions(
            charger.external_id, start=now - timedelta(days=60), end=now
        )
    ]
    bad = {f"{sim.hardware.serial}:{s.number}" for s in sim.log.ended(now) if s.corrupted}
    assert bad
    assert {r.external_id for r in records if r.problem} == bad
    assert all("corrupted" in (r.problem or "") for r in records if r.session is None)


async def test_history_without_the_web_password_says_what_is_missing(
    open_client: Opener, sim: PeblarSimulator
) -> None:
    client = open_client(web_password=None)
    [charger] = await client.list_chargers()
    with pytest.raises(SignInRefusedError, match="web password"):
        [
            _
            async for _ in client.iter_sessions(
                charger.external_id, start=sim.clock.now() - timedelta(days=1), end=sim.clock.now()
            )
        ]


async def test_every_control(open_client: Opener, sim: PeblarSimulator) -> None:
    client = open_client()
    [charger] = await client.list_chargers()
    cid = charger.external_id
    caps = client.capabilities(cid)
    assert caps.features == {
        ControlFeature.PAUSE_RESUME,
        ControlFeature.CURRENT,
        ControlFeature.RESTART,
    }
    await client.set_current(cid, 10)
    assert sim.ev.limit_ma == 10_000
    await client.set_charging(cid, False)
    assert sim.ev.limit_ma == 0
    await client.set_charging(cid, True)
    assert sim.ev.limit_ma == 10_000  # back to the limit before the pause
    with pytest.raises(ChargerApiError, match="6 A to 16 A"):
        await client.set_current(cid, 40)
    await client.restart(cid)
    assert sim.actions.reboots == 1
    with pytest.raises(ControlNotSupportedError, match="cable locked"):
        await client.set_locked(cid, True)
    with pytest.raises(ControlNotSupportedError, match="energy price"):
        await client.set_energy_price(cid, Decimal("0.25"))
    writes = [(w.method, w.path, w.body) for w in sim.writes]
    assert writes == [
        ("PATCH", "/api/wlac/v1/evinterface", {"ChargeCurrentLimit": 10000}),
        ("PATCH", "/api/wlac/v1/evinterface", {"ChargeCurrentLimit": 0}),
        ("PATCH", "/api/wlac/v1/evinterface", {"ChargeCurrentLimit": 10000}),
        ("POST", "/api/v1/system/reboot", {"RebootType": "HardReboot"}),
    ]


async def test_without_web_password_no_restart(open_client: Opener) -> None:
    client = open_client(web_password=None)
    [charger] = await client.list_chargers()
    assert not client.capabilities(charger.external_id).supports(ControlFeature.RESTART)
    with pytest.raises(ControlNotSupportedError, match="web password"):
        await client.restart(charger.external_id)


async def test_another_chargers_id_is_refused(open_client: Opener) -> None:
    with pytest.raises(ChargerApiError, match="not 00-00-AAA-000"):
        await open_client().get_status("00-00-AAA-000")


async def test_a_read_only_rest_api_offers_no_commands(
    open_client: Opener, sim: PeblarSimulator
) -> None:
    sim.user["LocalRestApiAccessMode"] = "ReadOnly"
    client = open_client(web_password=None)
    await client.sign_in()
    [charger] = await client.list_chargers()
    caps = client.capabilities(charger.external_id)
    assert not caps.features
    assert "read-only" in caps.why_not(ControlFeature.CURRENT)
    with pytest.raises(SignInRefusedError, match="read-write"):
        await client.set_current(charger.external_id, 8)  # the charger refuses it too


async def test_secrets_stay_out_of_logs_reprs_and_errors(
    open_client: Opener, sim: PeblarSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    tokens = MemoryTokenKeeper()
    client = open_client(tokens=tokens)
    [charger] = await client.list_chargers()
    sim.reboot()
    await client.get_status(charger.external_id)
    errors = []
    for bad in (open_client(token="f" * 64, web_password=None),
                open_client(web_password="wrong-password")):  # fmt: skip
        with pytest.raises(SignInRefusedError) as caught:
            await bad.sign_in()
        errors.append(caught.value.message)
    secrets = [sim.api_token, "demo-password", "wrong-password", "f" * 64]
    secrets += [v for v in (tokens.load() or {}).values()]
    shown = " ".join([caplog.text, repr(client), repr(tokens), repr(CONNECTOR), *errors])
    assert not [s for s in secrets if s in shown]


async def test_the_owners_login_is_the_address_and_the_web_password_alone(
    sim: PeblarSimulator, peblar_clock: FixedClock
) -> None:
    """What the wizard and `accounts add --brand peblar` ask: no API token typed; the client
    fetches it through the web API and keeps it with its tokens."""
    import httpx

    from chargebook.domain.brands import BrandLogin
    from chargebook.domain.models import ChargerSource

    tokens = MemoryTokenKeeper()
    client = CONNECTOR.open_client(
        BrandLogin(ChargerSource.PEBLAR_LOCAL, "peblar.test", "demo-password"),
        base_url="http://peblar.test",
        transport=httpx.ASGITransport(app=sim.app),
        clock=peblar_clock,
        tokens=tokens,
        budget=CONNECTOR.new_budget(peblar_clock),
    )
    try:
        await client.sign_in()
        assert (tokens.load() or {})["api_token"] == sim.api_token
        [charger] = await client.list_chargers()
        status = await client.get_status(charger.external_id)
        assert status.charger_external_id == charger.external_id
    finally:
        await client.aclose()
    with pytest.raises(SignInRefusedError, match="web password is empty"):
        CONNECTOR.open_client(
            BrandLogin(ChargerSource.PEBLAR_LOCAL, "peblar.test", ""),
            base_url="http://peblar.test",
            transport=None,
            clock=peblar_clock,
            tokens=MemoryTokenKeeper(),
            budget=CONNECTOR.new_budget(peblar_clock),
        )


async def test_an_address_where_no_peblar_answers_says_so(peblar_clock: FixedClock) -> None:
    """Another device at the address (a router's page: 404 on the charger's paths)."""
    import httpx

    from chargebook.domain.brands import BrandLogin
    from chargebook.domain.models import ChargerSource

    def not_a_peblar(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="Not Found")

    client = CONNECTOR.open_client(
        BrandLogin(ChargerSource.PEBLAR_LOCAL, "192.168.1.40", "demo-password"),
        base_url=None,
        transport=httpx.MockTransport(not_a_peblar),
        clock=peblar_clock,
        tokens=MemoryTokenKeeper(),
        budget=CONNECTOR.new_budget(peblar_clock),
    )
    try:
        with pytest.raises(ChargerApiError, match=r"No Peblar charger answered at 192\.168\.1\.40"):
            await client.sign_in()
    finally:
        await client.aclose()
