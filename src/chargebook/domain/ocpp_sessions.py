"""What an OCPP transaction becomes in the book: the session at its close and the sample of
each meter reading. Pure decisions; `chargebook.db.ocpp` stores what they return.

Register modes (lifetime vs session-relative energy registers) are decided in
`chargebook.domain.ocpp`; these functions take the mode as decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from chargebook.domain.book import SessionSample
from chargebook.domain.models import ChargerSource, ChargerState, ChargingSession
from chargebook.domain.ocpp import (
    EnergyRegisterMode,
    MeterReading,
    final_energy_wh,
    session_energy_wh,
)
from chargebook.domain.plausibility import fits_book, validate_session

SUPERSEDED = "chargebook:superseded"  # stop reason of a transaction its charger forgot
NEVER_STOPPED = "the charger started a new transaction without stopping this one"
STOP_BEFORE_START = "StopTransaction is older than its StartTransaction"


@dataclass(frozen=True, slots=True)
class TransactionFacts:
    """What the close of a transaction needs to know of it."""

    charge_point_id: str
    transaction_id: int
    meter_start_wh: int
    started_at: datetime
    energy_mode: EnergyRegisterMode


@dataclass(frozen=True, slots=True)
class ClosedSession:
    """The session a closed transaction leaves in the book.

    `session` is None when there is nothing the book's columns can hold (then only the raw
    frames keep the evidence); `problem` is the quarantine reason (None: the session is ok).
    """

    external_id: str
    session: ChargingSession | None
    problem: str | None


def external_id_of(charge_point_id: str, transaction_id: int) -> str:
    """The book's external id of an OCPP session: "<charge point id>:<transactionId>"."""
    return f"{charge_point_id}:{transaction_id}"


def close_transaction(
    facts: TransactionFacts,
    *,
    meter_stop_wh: int | None,
    stopped_at: datetime,
    max_current_a: int,
    now: datetime,
    missing_stop: str = NEVER_STOPPED,
) -> ClosedSession:
    """The session of a transaction stopped at `stopped_at` with `meter_stop_wh` (None: the
    charger never stopped it, it started another one; or `missing_stop` says why there is
    no register to stop at).

    The same plausibility rules as cloud sessions apply (energy within the charger's power x
    duration, plausible times); a session that breaks them is quarantined with the reason,
    and kept without its figures when they do not fit the book's columns.
    """
    external_id = external_id_of(facts.charge_point_id, facts.transaction_id)
    energy_wh: int | None = None
    problem: str | None
    if meter_stop_wh is None:
        problem = missing_stop
    else:
        energy_wh, problem = final_energy_wh(facts.energy_mode, facts.meter_start_wh, meter_stop_wh)
    if stopped_at < facts.started_at:
        energy_wh, problem = None, STOP_BEFORE_START
    if energy_wh is None:
        return ClosedSession(external_id, None, problem)
    session = ChargingSession(
        source=ChargerSource.OCPP,
        external_id=external_id,
        charger_external_id=facts.charge_point_id,
        started_at=facts.started_at,
        ended_at=stopped_at,
        energy_kwh=Decimal(energy_wh) / 1000,
        mid_energy_kwh=None,
        discharged_energy_kwh=Decimal(0),
        duration_s=int((stopped_at - facts.started_at).total_seconds()),
        meter_start_wh=facts.meter_start_wh,
        meter_stop_wh=meter_stop_wh,
    )
    problem = problem or validate_session(session, max_current_a=max_current_a, now=now)
    if problem is not None and not fits_book(session):
        return ClosedSession(external_id, None, problem)
    return ClosedSession(external_id, session, problem)


def reading_sample(
    charge_point_id: str,
    reading: MeterReading,
    *,
    transaction_id: int | None,
    meter_start_wh: int = 0,
    mode: EnergyRegisterMode | None = None,
) -> SessionSample:
    """The sample of one meter reading.

    A reading of a known transaction (`transaction_id`) gets its session energy from the
    register in `mode` (None: the reading has no register) and counts as charging while
    power flows; a reading outside any transaction has zero session energy and a ready
    charger. The measured values are kept in `extra` beside the transaction id.
    """
    energy_wh = 0.0
    extra: dict[str, Any] = dict(reading.extra)
    if transaction_id is not None:
        extra["transaction_id"] = transaction_id
        if reading.energy_register_wh is not None and mode is not None:
            energy_wh = session_energy_wh(mode, meter_start_wh, reading.energy_register_wh)
    if reading.energy_register_wh is not None:
        extra["energy_register_wh"] = reading.energy_register_wh
    if reading.current_a is not None:
        extra["current_a"] = reading.current_a
    if reading.power_w is not None:  # measured (a merge of same-second readings asks)
        extra["power_w"] = reading.power_w
    power_w = reading.power_w or 0.0
    if transaction_id is None:
        state = ChargerState.READY
    else:
        state = ChargerState.CHARGING if power_w > 0 else ChargerState.WAITING
    return SessionSample(
        source=ChargerSource.OCPP,
        charger_external_id=charge_point_id,
        observed_at=reading.observed_at,
        power_kw=power_w / 1000,
        energy_kwh=energy_wh / 1000,
        state=state,
        status_code=0,
        extra=extra,
    )


def samples_through(stopped_at: datetime) -> datetime:
    """The exclusive end of the samples that belong to a session stopped at `stopped_at`: the
    reading taken at the stop (StopTransaction's transactionData) is one of them."""
    return stopped_at + timedelta(microseconds=1)
