"""`RoutedCommands`: the command service (`control.OcppCommandService`) of a process in a
cluster. A charge point connected here is commanded directly; any other goes to the node
that holds it (`ClusterNode.call`), so the web, API, workers and smart charging reach a
charger whichever process its socket landed on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from chargebook.central_system.cluster.node import ClusterNode
from chargebook.central_system.exceptions import ChargePointNotConnectedError


@dataclass
class RemoteChargePoint:
    """What another node reported of a charge point it holds (its last StatusNotifications)."""

    connector_status: dict[int, str]
    ocpp_version: str


class ConnectorView(Protocol):
    connector_status: dict[int, str]
    ocpp_version: str


class LocalCommands(Protocol):
    """The process's own central system (a Protocol: the server imports this package)."""

    @property
    def cluster(self) -> ClusterNode | None: ...

    def is_connected(self, charge_point_id: str) -> bool: ...

    def charge_point(self, charge_point_id: str) -> ConnectorView: ...


Central = TypeVar("Central", bound=LocalCommands)


class RoutedCommands:
    """Local first, else through the cluster."""

    def __init__(self, central: LocalCommands, node: ClusterNode) -> None:
        self._central = central
        self._node = node
        self._remote: dict[str, RemoteChargePoint] = {}  # last seen, for `capabilities`

    def charge_point(self, charge_point_id: str) -> ConnectorView:
        """The local connection, or what was last heard of it from the node holding it.

        Raises:
            ChargePointNotConnectedError: neither.
        """
        if self._central.is_connected(charge_point_id):
            return self._central.charge_point(charge_point_id)
        remote = self._remote.get(charge_point_id)
        if remote is None:
            raise ChargePointNotConnectedError(
                f"charge point {charge_point_id} is not connected", charge_point_id=charge_point_id
            )
        return remote

    async def describe(self, charge_point_id: str) -> ConnectorView:
        if self._central.is_connected(charge_point_id):
            return self._central.charge_point(charge_point_id)
        self._remote.pop(charge_point_id, None)
        found = await self._node.call(charge_point_id, "describe", {})
        statuses = {int(k): str(v) for k, v in dict(found["connector_status"]).items()}
        remote = RemoteChargePoint(statuses, str(found["ocpp_version"]))
        self._remote[charge_point_id] = remote
        return remote

    async def _run(self, op: str, charge_point_id: str, **args: Any) -> Any:
        if self._central.is_connected(charge_point_id):
            return await getattr(self._central, op)(charge_point_id, **args)  # one of OPS
        return await self._node.call(charge_point_id, op, args)

    async def set_current(
        self, charge_point_id: str, amps: float, *, connector_id: int = 1
    ) -> bool:
        return bool(
            await self._run("set_current", charge_point_id, amps=amps, connector_id=connector_id)
        )

    async def pause(self, charge_point_id: str, *, connector_id: int = 1) -> bool:
        return bool(await self._run("pause", charge_point_id, connector_id=connector_id))

    async def resume(
        self, charge_point_id: str, amps: float | None = None, *, connector_id: int = 1
    ) -> bool:
        return bool(
            await self._run("resume", charge_point_id, amps=amps, connector_id=connector_id)
        )

    async def reset(self, charge_point_id: str, *, hard: bool = False) -> None:
        await self._run("reset", charge_point_id, hard=hard)

    async def remote_start(self, charge_point_id: str, *, connector_id: int = 1) -> None:
        await self._run("remote_start", charge_point_id, connector_id=connector_id)

    async def remote_stop(
        self, charge_point_id: str, transaction_id: int | str | None = None
    ) -> None:
        await self._run("remote_stop", charge_point_id, transaction_id=transaction_id)

    async def renew_certificate(self, charge_point_id: str) -> None:
        await self._run("renew_certificate", charge_point_id)


def routed_commands(central: Central) -> Central | RoutedCommands:
    """The command service for the charger controls: routed when the central system is part
    of a cluster (PostgreSQL), the central system itself otherwise."""
    node = central.cluster
    return central if node is None else RoutedCommands(central, node)
