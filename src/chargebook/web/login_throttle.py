"""Sign-in throttling with growing delays, and the sign-up rate limit.

A failed sign-in is counted three times: for the account AND the client (the e-mail with the
client's IP), for the client (any e-mail), and for the account (any client). Each count buys
a few free tries, then a delay that doubles with every further failure, measured from the last
failure and capped:

- account + client: 3 free, then 1 s, 2 s, 4 s ... at most 15 min. A guesser slows down to a
  crawl; the owner on her own phone or laptop is not affected by it.
- client: 20 free (a household shares an IP), then the same doubling up to 15 min: one address
  cannot spray guesses over many accounts.
- account: 10 free, then doubling up to only 30 s. Guessers on many addresses share this
  ceiling, so together they get at most about one guess per 30 s; the real owner on another
  client waits at most 30 s, and is never locked out.

There is no hard lockout: anyone who knows the e-mail could otherwise lock its owner out.
Attempts refused while waiting are not counted (nothing was checked). A successful sign-in
clears the account's and the pair's counts. Failures older than the window are forgotten.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from chargebook.db import SqlSession
from chargebook.db.accounts.web_auth import LoginFailureRepository
from chargebook.settings import Settings
from chargebook.web.errors import LoginRateLimitedError
from chargebook.web.security import sha256_hex

SIGNUP_WINDOW_S = 60 * 60


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """The throttle's numbers (settings `CHARGEBOOK_WEB_LOGIN_*`, `CHARGEBOOK_SIGNUP_*`)."""

    window_s: int = 60 * 60
    free_failures: int = 3  # per account and client
    max_delay_s: int = 15 * 60
    client_free_failures: int = 20  # per client, any account
    account_free_failures: int = 10  # per account, any client
    account_max_delay_s: int = 30
    signups_per_client: int = 10  # per hour (SIGNUP_WINDOW_S)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        return cls(
            window_s=settings.web_login_window_s,
            free_failures=settings.web_login_free_failures,
            max_delay_s=settings.web_login_max_delay_s,
            client_free_failures=settings.web_login_client_free_failures,
            account_free_failures=settings.web_login_account_free_failures,
            account_max_delay_s=settings.web_login_account_max_delay_s,
            signups_per_client=settings.signup_per_client_per_hour,
        )


def delay_s(failures: int, free: int, cap_s: int) -> int:
    """Seconds to wait after `failures` recent failures: 0 for the free ones, then 1, 2, 4 ...
    up to `cap_s`."""
    if failures < free:
        return 0
    return min(cap_s, 1 << min(failures - free, 30))


@dataclass(frozen=True, slots=True)
class _Count:
    key: str
    free: int
    cap_s: int


def _wait_message(wait_s: int) -> str:
    if wait_s < 90:
        return f"too many failed sign-ins; wait {wait_s} seconds and try again"
    return f"too many failed sign-ins; try again in {math.ceil(wait_s / 60)} minutes"


class LoginThrottle:
    """The counts of one sign-in attempt (an e-mail from a client) on the request's session."""

    def __init__(
        self, session: SqlSession, limits: LoginLimits, *, email: str, client_ip: str | None
    ) -> None:
        self._failures = LoginFailureRepository(session)
        self._limits = limits
        client = (client_ip or "-")[:90]
        # Keys fit the column (100 characters) and never hold the address in the clear.
        self._pair = _Count(
            "pair:" + sha256_hex(f"{email}\n{client}"), limits.free_failures, limits.max_delay_s
        )
        self._client = _Count(f"ip:{client}", limits.client_free_failures, limits.max_delay_s)
        self._account = _Count(
            "email:" + sha256_hex(email), limits.account_free_failures, limits.account_max_delay_s
        )

    def check(self, now: datetime) -> None:
        """Refuse the attempt while any of its counts asks to wait.

        Raises:
            LoginRateLimitedError: wait `retry_after_s` seconds (the longest of the waits).
        """
        since = now - timedelta(seconds=self._limits.window_s)
        wait_s = 0.0
        for count in (self._pair, self._client, self._account):
            failures, latest = self._failures.count_and_latest(count.key, since)
            pause = delay_s(failures, count.free, count.cap_s)
            if pause and latest is not None:
                wait_s = max(wait_s, (latest + timedelta(seconds=pause) - now).total_seconds())
        if wait_s > 0:
            retry_after = max(1, math.ceil(wait_s))
            raise LoginRateLimitedError(_wait_message(retry_after), retry_after_s=retry_after)

    def failed(self, now: datetime) -> None:
        """Count a failed attempt for the pair, the client and the account, and forget the
        events no window counts any more (the table stays small under a long attack)."""
        self._failures.add([self._pair.key, self._client.key, self._account.key], at=now)
        horizon = max(self._limits.window_s, SIGNUP_WINDOW_S)
        self._failures.delete_before(now - timedelta(seconds=horizon))

    def succeeded(self) -> None:
        """The owner is in: forget the account's and this client's failures for it."""
        self._failures.clear(self._pair.key)
        self._failures.clear(self._account.key)


def check_signup_rate(
    session: SqlSession, limits: LoginLimits, *, client_ip: str | None, now: datetime
) -> None:
    """Count a sign-up attempt from this client; refuse it beyond `signups_per_client` an hour.
    Every attempt counts (each costs an argon2 hash), also one refused for a short password.

    Raises:
        LoginRateLimitedError: too many sign-ups from this client recently.
    """
    failures = LoginFailureRepository(session)  # the rate-limit events table
    key = f"signup:{(client_ip or '-')[:90]}"
    since = now - timedelta(seconds=SIGNUP_WINDOW_S)
    count, oldest = failures.count_since(key, since)
    if count >= limits.signups_per_client and oldest is not None:
        wait_s = max(1, math.ceil((oldest - since).total_seconds()))
        raise LoginRateLimitedError(
            f"too many new accounts from this address; try again in {math.ceil(wait_s / 60)} "
            "minutes",
            retry_after_s=wait_s,
        )
    failures.add([key], at=now)
