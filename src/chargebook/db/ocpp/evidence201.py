"""What a closed OCPP 2.0.1 transaction's session keeps beside its raw frames: the station's
own transaction id and whether every TransactionEvent arrived (`seqNo` gaps)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chargebook.domain.ocpp201 import seq_no_gaps


def event_evidence(ocpp_transaction_id: str, frames: Sequence[Any]) -> dict[str, Any]:
    """`ocppTransactionId`, the seqNos received and the missing ones, from the stored frames."""
    seq_nos = sorted(
        frame[3]["seqNo"]
        for frame in frames
        if isinstance(frame, list)
        and len(frame) > 3
        and frame[2] == "TransactionEvent"
        and isinstance(frame[3], dict)
        and isinstance(frame[3].get("seqNo"), int)
    )
    return {
        "ocppVersion": "2.0.1",
        "ocppTransactionId": ocpp_transaction_id,
        "seqNos": seq_nos,
        "seqNoGaps": seq_no_gaps(seq_nos),
    }
