"""The open transactions the OCPP writer keeps between batches, and the transaction row as the
domain sees it.

The hot path (MeterValues of an open transaction) reads nothing from the database: the writer
keeps the open transactions' few immutable facts (`OpenTransactions`), updated only from
batches that committed. This assumes one central system writes a book's OCPP transactions;
with several (`central_system.cluster`) a process drops a charger's transactions from it
whenever another takes that charger over (`BookWriter.forget_open_transactions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from chargebook.db.ocpp.tables import OcppTransactionRow
from chargebook.domain.ocpp import EnergyRegisterMode, OcppTransaction


@dataclass(slots=True)
class OpenTransaction:
    """What MeterValues need of an open transaction (energy_mode follows the register
    evidence, see `decide_register_mode`)."""

    id: int
    charger_id: int
    meter_start_wh: int
    started_at: datetime
    energy_mode: str

    @classmethod
    def of(cls, row: OcppTransactionRow) -> OpenTransaction:
        return cls(row.id, row.charger_id, row.meter_start_wh, row.started_at, row.energy_mode)


class OpenTransactions:
    """The writer's cache of open transactions by id, shared across batches.

    A batch stages its changes (`SqlOcppBook`) and they are applied only once it committed;
    a batch that fails or runs operation by operation (savepoints) clears the cache instead,
    so it never holds what the database does not.
    """

    def __init__(self) -> None:
        self._open: dict[int, OpenTransaction] = {}

    def get(self, transaction_id: int) -> OpenTransaction | None:
        return self._open.get(transaction_id)

    def apply(self, staged: Mapping[int, OpenTransaction | None]) -> None:
        """Take over a committed batch's changes (None: the transaction closed)."""
        for transaction_id, transaction in staged.items():
            if transaction is None:
                self._open.pop(transaction_id, None)
            else:
                self._open[transaction_id] = transaction

    def clear(self) -> None:
        self._open.clear()

    def forget_chargers(self, charger_ids: set[int]) -> None:
        """Drop the transactions of these chargers (another process now writes them)."""
        if charger_ids:
            self._open = {
                tid: t for tid, t in self._open.items() if t.charger_id not in charger_ids
            }

    def __len__(self) -> int:
        return len(self._open)


def to_domain(row: OcppTransactionRow, charge_point_id: str) -> OcppTransaction:
    """The stored transaction as the central system sees it."""
    return OcppTransaction(
        transaction_id=row.id,
        charge_point_id=charge_point_id,
        connector_id=row.connector_id,
        id_tag=row.id_tag,
        meter_start_wh=row.meter_start_wh,
        started_at=row.started_at,
        energy_mode=EnergyRegisterMode(row.energy_mode),
        is_open=row.is_open,
        meter_stop_wh=row.meter_stop_wh,
        stopped_at=row.stopped_at,
        stop_reason=row.stop_reason,
        session_id=row.session_id,
        ocpp_transaction_id=row.ocpp_transaction_id,
    )
