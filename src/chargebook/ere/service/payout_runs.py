"""SEPA payout runs: a pain.001 file for the pending payouts of a period (or all), recorded as
a run; marking the run paid pays exactly its payouts, once.

Exactly once: a payout joins a run only while it is pending and in no open or paid run
(`ere_payouts.run_id`, claimed with a conditional UPDATE); building again leaves out what an
open run holds and says which run; a run is paid or cancelled once (a conditional UPDATE on
its status). The file is kept encrypted with the run, so downloading it again gives the same
bytes, the same message id and the same SHA-256, and a bank refuses a second upload.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from chargebook.crypto import SecretBox
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import PayoutStatus, StoredStatement
from chargebook.domain.ere_payouts import PayoutRun, PayoutRunItem
from chargebook.ere.periods import DUTCH_ZONE
from chargebook.ere.service import events
from chargebook.ere.service.errors import EreBookError
from chargebook.ere.service.iban import InvalidIbanError, check_account
from chargebook.ere.service.sepa_file import SepaCredit, SepaDebtor, build_pain001
from chargebook.errors import ConfigurationError
from chargebook.settings import Settings


class NothingToPayError(EreBookError):
    """No pending payout can go into a new SEPA file (the message says why for each)."""


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A pending payout not in the file, and why."""

    statement_id: int
    customer_email: str
    reason: str


@dataclass(frozen=True, slots=True)
class SepaRunBuilt:
    run: PayoutRun
    xml: bytes
    left_out: list[LeftOut]


def operator_debtor(settings: Settings) -> SepaDebtor:
    """The operator's account from CHARGEBOOK_OPERATOR_NAME / _IBAN / _BIC.

    Raises:
        ConfigurationError: a setting is missing or the IBAN is not valid.
    """
    if not settings.operator_name or not settings.operator_iban:
        raise ConfigurationError(
            "set CHARGEBOOK_OPERATOR_NAME and CHARGEBOOK_OPERATOR_IBAN (the account payouts "
            "are paid from) to build a SEPA file"
        )
    try:
        checked = check_account(settings.operator_iban, settings.operator_name)
    except InvalidIbanError as exc:
        raise ConfigurationError(f"CHARGEBOOK_OPERATOR_IBAN / _NAME: {exc.message}") from None
    bic = settings.operator_bic.strip().upper() if settings.operator_bic else checked.bic
    return SepaDebtor(checked.holder, checked.iban, bic or None)


def end_to_end_id(statement: StoredStatement) -> str:
    """The transfer's end-to-end id (at most 35 characters): names the statement."""
    return f"ERE-{statement.period.label}-S{statement.id}"


def build_sepa_run(
    store: EreStore,
    box: SecretBox,
    debtor: SepaDebtor,
    *,
    actor: str,
    period: DeliveryPeriod | None = None,
    execution_date: date | None = None,
) -> SepaRunBuilt:
    """Write a pain.001 file for the pending payouts of `period` (None: every period) that have
    payout details and are in no open run, and record it as an open run.

    Raises:
        NothingToPayError: no such payout (the message lists why each was left out).
        SepaFileError: the file cannot be written validly.
        ConflictError: a payout was claimed by another run meanwhile (nothing is recorded).
        ConfigurationError: the secret key cannot decrypt a stored IBAN.
    """
    pending = store.statements.list(period=period, status=PayoutStatus.PENDING)
    accounts = store.payout_accounts.for_users(int(s.customer_id) for s in pending)
    encrypted = store.payout_accounts.encrypted_ibans(accounts)
    chosen: list[StoredStatement] = []
    left_out: list[LeftOut] = []
    for s in pending:
        reason = None
        if s.payout_run_id is not None:
            reason = f"already in open payout run {s.payout_run_id} (download that file again)"
        elif int(s.customer_id) not in accounts:
            reason = "no payout details: the owner has not entered an IBAN yet"
        elif s.payout_eur <= 0:
            reason = "nothing to pay (EUR 0.00)"
        if reason is None:
            chosen.append(s)
        else:
            left_out.append(LeftOut(s.id, s.customer_email, reason))
    if not chosen:
        scope = period.label if period is not None else "any period"
        why = "; ".join(f"statement {x.statement_id}: {x.reason}" for x in left_out)
        raise NothingToPayError(
            f"no pending payout for {scope} can go into a SEPA file" + (f" ({why})" if why else "")
        )
    credits, items = [], []
    for s in chosen:
        account = accounts[int(s.customer_id)]
        e2e = end_to_end_id(s)
        credits.append(
            SepaCredit(
                end_to_end_id=e2e,
                name=account.holder,
                iban=box.decrypt(encrypted[int(s.customer_id)]),
                bic=account.bic,
                amount_eur=s.payout_eur,
                description=f"ERE payout {s.period.label}, statement {s.id}",
            )
        )
        items.append(PayoutRunItem(s.id, s.payout_eur, e2e, account.iban_masked, account.holder))
    when = execution_date or store.clock.now().astimezone(DUTCH_ZONE).date()
    message_id, xml = build_pain001(debtor, credits, execution_date=when)
    run = store.payout_runs.add(
        period=period,
        message_id=message_id,
        file_sha256=hashlib.sha256(xml).hexdigest(),
        file_encrypted=box.encrypt(xml.decode("utf-8")),
        items=items,
        actor=actor,
    )
    store.audit.append(
        actor=actor,
        action="ere_payout_run.created",
        entity_type="ere_payout_run",
        entity_id=run.id,
        payload={
            "period": period.label if period is not None else None,
            "statement_ids": [item.statement_id for item in items],
            "total_eur": str(run.total_eur),
            "file_sha256": run.file_sha256,
            "message_id": message_id,
        },
    )
    return SepaRunBuilt(run, xml, left_out)


def sepa_run_file(store: EreStore, box: SecretBox, run_id: int) -> tuple[str, bytes]:
    """(file name, the run's pain.001 file exactly as built).

    Raises:
        NotFoundError: no such run.
    """
    run = store.payout_runs.get(run_id)
    return run.file_name, box.decrypt(store.payout_runs.encrypted_file(run_id)).encode("utf-8")


def mark_run_paid(store: EreStore, run_id: int, reference: str | None, *, actor: str) -> PayoutRun:
    """The bank executed the run's file: its payouts are paid, with the run and `reference`.

    Raises:
        NotFoundError: no such run.
        ConflictError: the run is paid or cancelled already.
    """
    run = store.payout_runs.close(run_id, paid=True, actor=actor, reference=reference)
    store.audit.append(
        actor=actor,
        action="ere_payout_run.paid",
        entity_type="ere_payout_run",
        entity_id=run_id,
        payload={"reference": reference, "total_eur": str(run.total_eur)},
    )
    events.run_paid(store, run_id)
    return run


def cancel_run(store: EreStore, run_id: int, *, actor: str) -> PayoutRun:
    """The file was not sent or the bank refused it: its payouts are free for a new run.

    Raises:
        NotFoundError: no such run.
        ConflictError: the run is paid or cancelled already.
    """
    run = store.payout_runs.close(run_id, paid=False, actor=actor)
    store.audit.append(
        actor=actor,
        action="ere_payout_run.cancelled",
        entity_type="ere_payout_run",
        entity_id=run_id,
        payload={"statement_ids": [item.statement_id for item in run.items]},
    )
    return run
