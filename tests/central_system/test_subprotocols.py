"""One port, two OCPP versions: the subprotocol is negotiated in the handshake (OCPP 2.0.1
Part 4 §3.1.2-3.2; SteVe's certification test TC_088_CSMS: a client offering only `ocpp0.1`
is refused, one offering `ocpp0.1, ocpp1.6` gets `ocpp1.6`)."""

from __future__ import annotations

import pytest
from websockets.exceptions import InvalidStatus

from chargebook.central_system import CentralSystem

from .helpers import exchange, open_raw


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["ocpp1.6"], "ocpp1.6"),
        (["ocpp2.0.1"], "ocpp2.0.1"),
        (["ocpp0.1", "ocpp1.6"], "ocpp1.6"),
        (["ocpp2.0.1", "ocpp1.6"], "ocpp2.0.1"),
        (["ocpp1.6", "ocpp2.0.1"], "ocpp2.0.1"),  # the server's preference decides
    ],
)
async def test_the_version_is_negotiated(
    central: CentralSystem, offered: list[str], chosen: str
) -> None:
    async with await open_raw(central, subprotocols=offered) as ws:
        assert ws.subprotocol == chosen
        reply = await exchange(ws, [2, "1", "Heartbeat", {}])
        assert reply[0] == 3
        assert central.charge_point("CP-1").ocpp_version == chosen.removeprefix("ocpp")


@pytest.mark.parametrize("offered", [[], ["ocpp0.1"], ["ocpp2.0"], ["OCPP1.6"]])
async def test_a_handshake_offering_neither_is_refused(
    central: CentralSystem, offered: list[str]
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await open_raw(central, subprotocols=offered)
    assert refused.value.response.status_code == 400
    assert b"ocpp2.0.1 or ocpp1.6" in refused.value.response.body
    assert central.connected_ids() == []


async def test_a_1_6_action_on_a_2_0_1_connection_is_not_mistaken(
    central: CentralSystem,
) -> None:
    async with await open_raw(central, subprotocols=["ocpp2.0.1"]) as ws:
        frame = [2, "s", "StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 0}]
        reply = await exchange(ws, frame)
        assert reply[:3] == [4, "s", "NotImplemented"]
