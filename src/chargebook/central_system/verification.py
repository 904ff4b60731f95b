"""Password checks for a crowd of connecting chargers (the reconnect storm).

Generated secrets are stored in a fast form (auth.py) and checked inline in microseconds; this
module is for the argon2 hashes: passwords chargers chose, and generated secrets stored before
the fast form (each upgraded on its first check). argon2 costs ~20-25 ms of CPU per check on
purpose. `SecretVerifier` (auth.py) remembers, per process, a keyed HMAC of each password
argon2 accepted, keyed by charge point id and stored hash (so a new password, a new hash,
finds nothing); a charger that reconnects to a running process costs microseconds. What is
left is the first argon2 check per charger after the process started, and this module keeps
those from hurting:

- argon2 runs in a pool of its own with at most one thread per core: the checks use every
  core, and the event loop (answering the chargers already in) and the default executor (the
  recorder's database reads) are not crowded out by a thousand queued threads;
- one check per charge point and password at a time: a charger that dials again while its
  first check is queued (timeouts during a storm) shares that check instead of adding one.

A wrong password is never remembered, so it costs argon2 every time (the same as before).
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from chargebook.central_system.auth import SecretVerifier, is_fast_hash
from chargebook.domain.ocpp import OcppCredentials


class PooledVerifier:
    """`await check(credentials, password)`: the cache, else argon2 in the bounded pool."""

    def __init__(self, threads: int | None = None) -> None:
        self._verifier = SecretVerifier()
        self._threads = threads or os.cpu_count() or 2
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[tuple[str, str | None, bytes], asyncio.Future[bool]] = {}

    async def check(self, credentials: OcppCredentials, password: str) -> bool:
        """Whether `password` opens a connection for this charger."""
        if self._verifier.is_cached(credentials, password):
            return True
        stored = credentials.secret_hash
        if password == "" or stored is None or is_fast_hash(stored):
            return self._verifier.verify(credentials, password)  # no argon2 involved
        key = (credentials.charge_point_id, credentials.secret_hash, self._verifier.mac(password))
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="ocpp-argon2")
        future = asyncio.get_running_loop().run_in_executor(
            self._pool, self._verifier.verify, credentials, password
        )
        self._pending[key] = future
        try:
            return await asyncio.shield(future)
        finally:
            if future.done():
                self._pending.pop(key, None)
            else:  # this waiter was cancelled; forget the check when it ends
                future.add_done_callback(lambda _: self._pending.pop(key, None))

    @property
    def cache(self) -> SecretVerifier:
        """The verified-credential cache (for `warm_restart.py`)."""
        return self._verifier

    def close(self) -> None:
        """Stop the pool's threads (queued checks are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
