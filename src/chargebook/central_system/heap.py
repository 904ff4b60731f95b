"""Short garbage-collector pauses for a central system with thousands of connections.

CPython's full collection walks every tracked object and holds the GIL meanwhile: with 2,000
connected charge points (about 350,000 objects, a third of them the program itself) one pause
took 300-1,100 ms on the shared 2-core machine, every answer of that moment waiting for it.
Objects that live as long as the process (imports, settings, schemas) and as long as a
connection (its protocol state) need not be walked again and again, so they are frozen
(`gc.freeze()`): the collector ignores them, while reference counting still frees them.

`HeapSettler` freezes once at start and again whenever the number of connections has grown by
a tenth (first collecting the unfrozen objects, so no garbage of that moment is frozen). Cyclic
garbage of a frozen connection that later closes is not collected until the fleet shrinks to
half of what it was at the last freeze; then (once the drop is over, see `quiet_s`) everything
is unfrozen, collected once, and frozen again. Call `connections_changed` from the event loop;
it never blocks longer than one collection of the objects made since the last freeze.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

LOG = logging.getLogger("chargebook.central_system.heap")


class HeapSettler:
    """Freezes long-lived objects as the number of connections grows (see the module)."""

    def __init__(
        self, *, growth: float = 0.1, minimum_step: int = 50, quiet_s: float = 0.0
    ) -> None:
        """`quiet_s` > 0 puts the full collection after a big drop off until that long after
        the drop (from the event loop): a whole fleet dropping at once (a proxy restart) then
        costs one full collection once it is over, not one per halving while the storm of
        reconnects that follows is being served."""
        self._growth = growth
        self._minimum_step = minimum_step
        self._quiet_s = quiet_s
        self._at_last_freeze = 0
        self._connected = 0
        self._full_pending: asyncio.TimerHandle | None = None
        self.freezes = 0

    def start(self) -> None:
        """Freeze what exists now (the program, before any connection)."""
        self._settle(0, full=False)

    def connections_changed(self, connected: int) -> None:
        """Freeze again after enough new connections; collect everything after a big drop."""
        self._connected = connected
        grown = connected - self._at_last_freeze
        if grown >= max(self._minimum_step, self._at_last_freeze * self._growth):
            self._settle(connected, full=False)
        elif connected < self._at_last_freeze / 2:
            if self._quiet_s <= 0:
                self._settle(connected, full=True)
            elif self._full_pending is None:
                loop = asyncio.get_running_loop()
                self._full_pending = loop.call_later(self._quiet_s, self._settle_after_drop)

    def stop(self) -> None:
        """Cancel a full collection still waiting for quiet."""
        if self._full_pending is not None:
            self._full_pending.cancel()
            self._full_pending = None

    def _settle_after_drop(self) -> None:
        self._full_pending = None
        self._settle(self._connected, full=True)

    def _settle(self, connected: int, *, full: bool) -> None:
        started = time.perf_counter()
        if full:
            gc.unfreeze()  # let the closed connections' cycles be collected
        gc.collect()  # walks only the unfrozen objects
        gc.freeze()
        self._at_last_freeze = connected
        self.freezes += 1
        if LOG.isEnabledFor(logging.DEBUG):  # get_freeze_count walks the frozen list
            LOG.debug(
                "froze %d objects at %d connections in %.1f ms",
                gc.get_freeze_count(),
                connected,
                (time.perf_counter() - started) * 1000,
            )
