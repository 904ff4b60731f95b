"""An owner's payout details (IBAN and account holder): validated, encrypted, audited.

`set_payout_account` is the one way in for every door (web form, CLI, demo). The IBAN is
checked with schwifty (`iban.check_account`), encrypted with the book's SecretBox and stored
beside its masked form; the audit log records who changed it and when, with masked values
only, so the old IBAN is not kept in the clear anywhere.
"""

from __future__ import annotations

from chargebook.crypto import SecretBox
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_payouts import PayoutAccount
from chargebook.ere.service.iban import check_account


def set_payout_account(
    store: EreStore, box: SecretBox, *, user_id: int, iban: str, holder: str, actor: str
) -> PayoutAccount:
    """Set or replace `user_id`'s payout account (spaces and case in `iban` do not matter).

    Args:
        actor: who made the change (an e-mail address, `cli`, `demo`), for the audit log.

    Raises:
        InvalidIbanError: the IBAN or the holder's name is not valid (the message says why).
        NotFoundError: no such user.
    """
    checked = check_account(iban, holder)
    store.users.get(user_id)  # NotFoundError before anything is written
    saved, previous = store.payout_accounts.save(
        user_id=user_id,
        iban_encrypted=box.encrypt(checked.iban),
        iban_masked=checked.masked,
        holder=checked.holder,
        bic=checked.bic,
        actor=actor,
    )
    store.audit.append(
        actor=actor,
        action="ere_payout_account.changed" if previous else "ere_payout_account.set",
        entity_type="user",
        entity_id=user_id,
        payload={
            "iban": saved.iban_masked,
            "holder": saved.holder,
            "previous_iban": previous.iban_masked if previous else None,
            "previous_holder": previous.holder if previous else None,
        },
    )
    return saved


def payout_account(store: EreStore, user_id: int) -> PayoutAccount | None:
    """The user's payout account, masked (None: no payout details yet)."""
    return store.payout_accounts.get(user_id)
