"""Ports: what the core needs from the outside world, one small capability each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol, runtime_checkable

from chargebook.domain.models import Charger, ChargerStatus, SessionRecord


@runtime_checkable
class ChargerCloud(Protocol):
    """Reads a charger account: its chargers, their live status and their session history."""

    async def list_chargers(self) -> list[Charger]: ...

    async def get_status(self, charger_id: str) -> ChargerStatus: ...

    def iter_sessions(
        self, charger_id: str, *, start: datetime, end: datetime
    ) -> AsyncIterator[SessionRecord]:
        """Sessions that started in [start, end), page by page, as raw-backed records."""
        ...


@runtime_checkable
class ChargerControl(Protocol):
    """Commands a charger."""

    async def set_locked(self, charger_id: str, locked: bool) -> None: ...

    async def pause(self, charger_id: str) -> None: ...

    async def resume(self, charger_id: str) -> None: ...

    async def set_max_current(self, charger_id: str, amps: int) -> None: ...
