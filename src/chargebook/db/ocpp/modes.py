"""Energy-register mode changes of cached open transactions, written once per batch.

A transaction's mode is decided by its first readings (`decide_register_mode`): at most two
changes per transaction, but when a whole fleet starts charging at once (a reconnect storm, a
price signal) every first MeterValues changed a mode, and one UPDATE round trip each kept the
writer's one thread busy (`bench.ocpp_cluster_bench`, 5,000 chargers: p99 484 → 229 ms,
bench/README.md). The changes now wait here and go out as one executemany at the batch's
`flush_pending`, or before any statement that could read a transaction row, so nothing in the
batch ever sees an old mode.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, event, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from chargebook.db.ocpp.tables import OcppTransactionRow

# Core, not ORM: an ORM UPDATE with a list of parameters would be a bulk update by primary key.
_TABLE = cast(Table, OcppTransactionRow.__table__)
_SET_MODE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("transaction_id"))
    .values(energy_mode=bindparam("mode"))
)


class PendingModes:
    """Mode changes staged in one session (a batch), flushed before anything reads them."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._pending: dict[int, str] = {}
        event.listen(session, "do_orm_execute", self._before_execute)

    def stage(self, transaction_id: int, mode: str) -> None:
        """Record the change; a row of it this session already holds shows it at once."""
        self._pending[transaction_id] = mode
        held = self._session.identity_map.get(identity_key(OcppTransactionRow, transaction_id))
        if held is not None:
            set_committed_value(held, "energy_mode", mode)

    def flush(self) -> None:
        """Write the staged changes (one statement)."""
        if not self._pending:
            return
        rows = [{"transaction_id": tid, "mode": mode} for tid, mode in self._pending.items()]
        self._pending = {}
        self._session.connection().execute(_SET_MODE, rows)

    def discard(self) -> None:
        """Forget the staged changes (the operation that staged them failed)."""
        self._pending.clear()

    def _before_execute(self, state: ORMExecuteState) -> None:
        if self._pending and state.is_select:
            self.flush()
