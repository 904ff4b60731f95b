"""The secret key of a book: loaded, or created only when nothing is encrypted with an old one.

    box = open_secret_box(settings, database)   # serve, worker, sync, accounts

Every process that opens the book and may create the key goes through here, so a lost
`secret.key` is reported (MissingSecretKeyError, CLI exit code 8) instead of silently replaced.
"""

from __future__ import annotations

from chargebook.crypto import SecretBox, load_secret_box
from chargebook.db import Database
from chargebook.db.accounts.brand_accounts import stored_brand_account_count
from chargebook.db.accounts.wallbox_accounts import stored_account_count
from chargebook.db.ere.payouts import stored_payout_account_count
from chargebook.db.hooks.notifications import stored_hook_secret_count
from chargebook.db.ocpp.upstreams import stored_upstream_password_count
from chargebook.settings import Settings
from chargebook.wallbox.tokens import TOKEN_DIR_NAME, token_cache_probe


def open_secret_box(settings: Settings, database: Database) -> SecretBox:
    """The book's SecretBox (`load_secret_box`, guarded by what the book and data dir hold).

    Raises:
        MissingSecretKeyError: no key, but encrypted accounts or token files exist.
        ConfigurationError: the key is malformed or its file cannot be read or written.
    """

    def accounts_in_book() -> str | None:
        with database.session() as session:
            count = stored_account_count(session)
        return f"{count} connected myWallbox account(s) in the book are" if count else None

    def brand_accounts_in_book() -> str | None:
        with database.session() as session:
            count = stored_brand_account_count(session)
        return (
            f"{count} connected Easee, Zaptec or Peblar account(s) in the book are"
            if count
            else None
        )

    def payout_ibans_in_book() -> str | None:
        with database.session() as session:
            count = stored_payout_account_count(session)
        return f"{count} owner(s)' payout IBAN(s) in the book are" if count else None

    def upstream_passwords_in_book() -> str | None:
        with database.session() as session:
            count = stored_upstream_password_count(session)
        return f"{count} OCPP upstream password(s) in the book are" if count else None

    def hook_secrets_in_book() -> str | None:
        with database.session() as session:
            count = stored_hook_secret_count(session)
        return (
            f"{count} webhook secret(s) and notification URL set(s) in the book are"
            if count
            else None
        )

    probes = [
        accounts_in_book,
        brand_accounts_in_book,
        payout_ibans_in_book,
        upstream_passwords_in_book,
        hook_secrets_in_book,
        token_cache_probe(settings.data_dir / TOKEN_DIR_NAME),
    ]
    return load_secret_box(settings, encrypted_data=probes)
