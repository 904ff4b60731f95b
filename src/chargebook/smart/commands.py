"""Writes to a charger that are confirmed by reading its status back (`ConfirmedWrites`).

A write (pause, resume, current) is followed, after `confirm_delay_s`, by a read; when the
charger did not follow, the write is repeated up to `write_attempts` times, then a warning
event is emitted and the controller's next tick tries again. A failed write or read is an
event, never an exception: the controller carries on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from chargebook.clock import Clock
from chargebook.domain.smart import ChargerReading, EventKind
from chargebook.errors import ChargebookError
from chargebook.smart.settings import ControllerSettings


class ConfirmedWrites:
    """Bounded write-and-confirm for one charger; readings and events go to the callbacks."""

    def __init__(
        self,
        clock: Clock,
        settings: ControllerSettings,
        *,
        read: Callable[[], Awaitable[ChargerReading]],
        on_reading: Callable[[ChargerReading], None],
        emit: Callable[[EventKind, str], None],
    ) -> None:
        """`read`: the charger's state (raises `ChargebookError`); `on_reading`: every
        confirming reading (the controller accounts its energy); `emit`: the events."""
        self._clock = clock
        self._settings = settings
        self._read = read
        self._on_reading = on_reading
        self._emit = emit

    async def command(
        self,
        write: Callable[[], Awaitable[None]],
        confirmed: Callable[[ChargerReading], bool],
        kind: EventKind,
        message: str,
    ) -> bool:
        """Write, read back, repeat while the charger did not follow (bounded)."""
        attempts = max(1, self._settings.write_attempts)
        for attempt in range(1, attempts + 1):
            if not await self.write(write):
                return False
            await self._clock.sleep(self._settings.confirm_delay_s)
            try:
                reading = await self._read()
            except ChargebookError as exc:
                self._emit(EventKind.READ_FAILED, f"cannot confirm: {exc.message}")
                return False
            self._on_reading(reading)
            if confirmed(reading):
                suffix = f" (after {attempt} attempts)" if attempt > 1 else ""
                self._emit(kind, message + suffix)
                return True
            if attempt < attempts:
                self._emit(EventKind.WRITE_RETRIED, f"not confirmed, retrying: {message}")
        self._emit(
            EventKind.WRITE_UNCONFIRMED,
            f"the charger did not follow after {attempts} attempts: {message}",
        )
        return False

    async def write(self, write: Callable[[], Awaitable[None]]) -> bool:
        """One write, unconfirmed; False (and an event) when it failed."""
        try:
            await write()
        except ChargebookError as exc:
            self._emit(EventKind.COMMAND_FAILED, f"command failed: {exc.message}")
            return False
        return True
