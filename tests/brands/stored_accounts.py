"""A brand account in the book for the brands' sync ground-truth tests (their chargers hang
off it, as the wiring stores them: `chargers.brand_account_id`, key = minus its id)."""

from __future__ import annotations

from cryptography.fernet import Fernet

from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database, UserRepository
from chargebook.db.accounts.brand_accounts import BrandAccountRepository
from chargebook.domain.account_keys import brand_account_key
from chargebook.domain.brands import BrandLogin
from chargebook.domain.models import ChargerSource


def stored_brand_account(
    database: Database, clock: Clock, source: ChargerSource, username: str, secret: str
) -> int:
    """Store the account (and an owner for it); its key for `AccountSource`."""
    box = SecretBox(Fernet.generate_key())
    with database.transaction() as session:
        owner = UserRepository(session, clock).create(
            email=f"owner-{len(username)}-{abs(hash(username)) % 10**8}@example.com",
            password_hash="!",
        )
        account = BrandAccountRepository(session, box, clock).add(
            owner_user_id=owner.id, login=BrandLogin(source, username, secret)
        )
    return brand_account_key(account.id)
