"""Transaction ids across two central systems (OCPP 1.6: the central system chooses them).

One charging session has up to three ids: the one the charger uses (`charger_tx`), the book's
(`book_tx`, the `ocpp_transactions` row) and the upstream's (`upstream_tx`). Who chose the
charger's id depends on who answered its StartTransaction:

- the upstream answered (upstream primary): charger_tx = upstream_tx, the book maps it to its
  own row;
- chargebook answered (chargebook primary, or upstream primary while the upstream was down):
  charger_tx = book_tx, and the upstream's id is learnt from its answer to the copy.

Frames are rewritten on the way into the book and on the way upstream; a frame for a session
the upstream never opened (its StartTransaction copy was dropped) is not sent upstream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

LOG = logging.getLogger("chargebook.central_system.mirror")
# Stores (charger_tx, book_tx, upstream_tx); None leaves a stored id as it is.
PersistIds = Callable[[int, int | None, int | None], Awaitable[None]]
# Actions whose payload names a transaction by `transactionId`.
_TRANSACTION_ACTIONS = frozenset({"MeterValues", "StopTransaction"})


class TransactionMap:
    """The id mapping of one charge point: in memory for the routing of every frame, and
    stored through `persist` (so a restarted chargebook still knows it)."""

    def __init__(
        self,
        known: Iterable[tuple[int, int | None, int | None]] = (),
        persist: PersistIds | None = None,
    ) -> None:
        self._to_book: dict[int, int] = {}
        self._to_upstream: dict[int, int] = {}
        self._persist = persist
        self._lock = asyncio.Lock()  # one write at a time: two may name the same session
        self._saving: set[asyncio.Task[None]] = set()
        for charger_tx, book_tx, upstream_tx in known:
            self._remember(charger_tx, book_tx, upstream_tx)

    def learn(
        self, charger_tx: int, *, book_tx: int | None = None, upstream_tx: int | None = None
    ) -> None:
        """Record what is known about the session the charger calls `charger_tx`."""
        self._remember(charger_tx, book_tx, upstream_tx)
        if self._persist is not None and (book_tx is not None or upstream_tx is not None):
            task = asyncio.get_running_loop().create_task(
                self._store(charger_tx, book_tx, upstream_tx)
            )
            self._saving.add(task)
            task.add_done_callback(self._saving.discard)

    async def saved(self) -> None:
        """Until every learnt id is stored."""
        if self._saving:
            await asyncio.gather(*self._saving, return_exceptions=True)

    async def _store(self, charger_tx: int, book_tx: int | None, upstream_tx: int | None) -> None:
        assert self._persist is not None
        async with self._lock:
            try:
                await self._persist(charger_tx, book_tx, upstream_tx)
            except Exception as exc:  # the map still routes; only a restart would forget
                LOG.error("could not store the ids of transaction %s: %s", charger_tx, exc)

    def _remember(self, charger_tx: int, book_tx: int | None, upstream_tx: int | None) -> None:
        if book_tx is not None:
            self._to_book[charger_tx] = book_tx
        if upstream_tx is not None:
            self._to_upstream[charger_tx] = upstream_tx

    def book_tx(self, charger_tx: int) -> int:
        """The book's id; the charger's own when unmapped (chargebook chose it)."""
        return self._to_book.get(charger_tx, charger_tx)

    def upstream_tx(self, charger_tx: int) -> int | None:
        """The upstream's id, or None if the upstream has not opened this session."""
        return self._to_upstream.get(charger_tx)

    def charger_tx_of_upstream(self, upstream_tx: int) -> int | None:
        """The charger's id for the upstream's `upstream_tx` (for its RemoteStopTransaction)."""
        for charger_tx, known in self._to_upstream.items():
            if known == upstream_tx:
                return charger_tx
        return None


def transaction_id_of(action: str, payload: dict[str, Any]) -> int | None:
    """The transactionId a charger's MeterValues/StopTransaction names, if any."""
    if action not in _TRANSACTION_ACTIONS:
        return None
    value = payload.get("transactionId")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def with_transaction_id(payload: dict[str, Any], transaction_id: int) -> dict[str, Any]:
    """A copy of `payload` naming `transaction_id`."""
    return {**payload, "transactionId": transaction_id}


def for_book(action: str, payload: dict[str, Any], ids: TransactionMap) -> dict[str, Any]:
    """The charger's payload as the book must see it (its transaction id)."""
    charger_tx = transaction_id_of(action, payload)
    if charger_tx is None or ids.book_tx(charger_tx) == charger_tx:
        return payload
    return with_transaction_id(payload, ids.book_tx(charger_tx))


def for_upstream(
    action: str, payload: dict[str, Any], ids: TransactionMap
) -> dict[str, Any] | None:
    """The charger's payload as the upstream must see it; None if it names a session the
    upstream does not know (ocpp-broker skips such copies too)."""
    charger_tx = transaction_id_of(action, payload)
    if charger_tx is None:
        return payload
    upstream_tx = ids.upstream_tx(charger_tx)
    if upstream_tx is None:
        return None
    return payload if upstream_tx == charger_tx else with_transaction_id(payload, upstream_tx)
