"""Which connected chargers are mirrored, and their upstream links.

The central system asks `attach` when a charger connects and `detach` when it leaves. Whether
a charger has an upstream is read from the book at most every `lookup_ttl_s` (10 s) for all
chargers at once, so a reconnect storm of thousands of chargers costs one query, not one each;
a `chargebook ocpp upstream set` reaches the next connection within that time.

A link outlives a short disconnect of its charger (`detach_grace_s`, 30 s) so queued copies
still reach the upstream and a quick reconnect reuses it; then it closes, so the upstream sees
the charge point leave, as OCPP Part 4 §6.3 asks. Transaction-id maps live as long as the
process and are stored in the book (`db/ocpp/upstream_transactions.py`), so a restarted
chargebook maps a session that began before it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from chargebook.central_system.mirror.link import Backoff, UpstreamCallHandler, UpstreamLink
from chargebook.central_system.mirror.policy import V16
from chargebook.central_system.mirror.tap import MirrorTap
from chargebook.central_system.mirror.transactions import TransactionMap
from chargebook.clock import SystemClock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.db.ocpp.upstream_transactions import load_transaction_ids, save_transaction_ids
from chargebook.db.ocpp.upstreams import OcppUpstreamRepository
from chargebook.domain.ocpp_upstream import UpstreamConfig
from chargebook.errors import ChargebookError

LOG = logging.getLogger("chargebook.central_system.mirror")


class MirrorHub:
    def __init__(
        self,
        database: Database,
        box: Callable[[], SecretBox],
        *,
        response_timeout_s: float = 30.0,
        answer_timeout_s: float = 5.0,
        lookup_ttl_s: float = 10.0,
        detach_grace_s: float = 30.0,
        buffer_size: int = 500,
        backoff: Backoff | None = None,
    ) -> None:
        """`box` is called once, when the first mirrored charger connects (a process without
        mirrored chargers needs no secret key)."""
        self._database = database
        self._box_factory = box
        self._box: SecretBox | None = None
        self._response_timeout_s = response_timeout_s
        self._answer_timeout_s = answer_timeout_s
        self._lookup_ttl_s = lookup_ttl_s
        self._detach_grace_s = detach_grace_s
        self._buffer_size = buffer_size
        self._backoff = backoff
        self._configs: dict[str, UpstreamConfig] = {}
        self._configs_at = float("-inf")
        self._lookup_lock = asyncio.Lock()
        self._links: dict[str, UpstreamLink] = {}
        self._attached: dict[str, MirrorTap] = {}
        self._ids: dict[str, TransactionMap] = {}
        self._closers: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    def link(self, charge_point_id: str) -> UpstreamLink | None:
        """The charger's upstream link now, if any (for status pages and tests)."""
        return self._links.get(charge_point_id)

    async def attach(
        self,
        charge_point_id: str,
        *,
        send_to_charger: Callable[[str], Awaitable[None]],
        call_lock: asyncio.Lock,
        version: str = V16,
    ) -> MirrorTap | None:
        """The mirror for a charger that just connected speaking OCPP `version` ("1.6" or
        "2.0.1", spoken to the upstream too); None if it has no upstream (or its upstream
        cannot be used: logged, and the charger is served without it)."""
        config = (await self._lookup()).get(charge_point_id)
        closer = self._closers.pop(charge_point_id, None)
        if closer is not None:
            closer.cancel()
        link = self._links.get(charge_point_id)
        if link is not None and (
            config is None or link.config != config or link.version != version
        ):  # a new setting, or the charger came back speaking another version
            await self._drop(charge_point_id)
            link = None
        if config is None:
            return None
        if link is None:
            try:
                password = self._password(config)
            except ChargebookError as exc:
                LOG.error("%s is not mirrored: %s", charge_point_id, exc)
                return None
            ids = self._ids.get(charge_point_id) or await self._load_ids(charge_point_id)
            link = UpstreamLink(
                config,
                password,
                ids,
                response_timeout_s=self._response_timeout_s,
                buffer_size=self._buffer_size,
                backoff=self._backoff,
                version=version,
            )
            self._links[charge_point_id] = link
            link.start()
        tap = MirrorTap(
            link,
            send_to_charger=send_to_charger,
            call_lock=call_lock,
            response_timeout_s=self._response_timeout_s,
            answer_timeout_s=self._answer_timeout_s,
        )
        self._attached[charge_point_id] = tap
        link.on_call = tap.on_upstream_call
        return tap

    def detach(self, charge_point_id: str, tap: MirrorTap | None) -> None:
        """The charger's connection ended; its link closes after the grace time."""
        if tap is None or self._closed or self._attached.get(charge_point_id) is not tap:
            return  # a newer connection took over, or the central system is closing
        del self._attached[charge_point_id]
        link = tap.link
        link.on_call = _not_connected(link)
        self._closers[charge_point_id] = asyncio.get_running_loop().create_task(
            self._close_later(charge_point_id)
        )

    async def close(self) -> None:
        self._closed = True
        for task in self._closers.values():
            task.cancel()
        self._closers.clear()
        for charge_point_id in list(self._links):
            await self._drop(charge_point_id)

    async def _close_later(self, charge_point_id: str) -> None:
        await asyncio.sleep(self._detach_grace_s)
        self._closers.pop(charge_point_id, None)
        await self._drop(charge_point_id)

    async def _drop(self, charge_point_id: str) -> None:
        link = self._links.pop(charge_point_id, None)
        if link is not None:
            await link.close()

    async def _load_ids(self, charge_point_id: str) -> TransactionMap:
        def load() -> list[tuple[int, int | None, int | None]]:
            with self._database.session() as session:
                return load_transaction_ids(session, charge_point_id)

        async def persist(charger_tx: int, book_tx: int | None, upstream_tx: int | None) -> None:
            def save() -> None:
                with self._database.transaction() as session:
                    save_transaction_ids(
                        session,
                        charge_point_id,
                        charger_tx,
                        book_tx=book_tx,
                        upstream_tx=upstream_tx,
                    )

            await asyncio.to_thread(save)

        ids = TransactionMap(await asyncio.to_thread(load), persist)
        self._ids[charge_point_id] = ids
        return ids

    async def _lookup(self) -> dict[str, UpstreamConfig]:
        async with self._lookup_lock:  # a storm of connections shares one query
            if time.monotonic() - self._configs_at >= self._lookup_ttl_s:
                self._configs = await asyncio.to_thread(self._read_configs)
                self._configs_at = time.monotonic()
        return self._configs

    def _read_configs(self) -> dict[str, UpstreamConfig]:
        with self._database.session() as session:
            configs = OcppUpstreamRepository(session, SystemClock()).all()
        return {config.charge_point_id: config for config in configs}

    def _password(self, config: UpstreamConfig) -> str | None:
        if config.password_encrypted is None:
            return None
        if self._box is None:
            self._box = self._box_factory()
        return self._box.decrypt(config.password_encrypted)


def _not_connected(link: UpstreamLink) -> UpstreamCallHandler:
    async def answer(unique_id: str, action: str, payload: dict[str, Any]) -> None:
        await link.reply([4, unique_id, "GenericError", "the charge point is not connected", {}])

    return answer
