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

from typing import Any

# Actions whose payload names a transaction by `transactionId`.
_TRANSACTION_ACTIONS = frozenset({"MeterValues", "StopTransaction"})


class TransactionMap:
    """The id mapping of one charge point (lives as long as its upstream link)."""

    def __init__(self) -> None:
        self._to_book: dict[int, int] = {}
        self._to_upstream: dict[int, int] = {}

    def learn(
        self, charger_tx: int, *, book_tx: int | None = None, upstream_tx: int | None = None
    ) -> None:
        """Record what is known about the session the charger calls `charger_tx`."""
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
