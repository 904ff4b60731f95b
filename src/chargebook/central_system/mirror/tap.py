"""The mirror on one charger connection: what the central system's charge point hands it on
every frame received from and sent to the charger (`OcppChargePoint.mirror`).

Charger CALLs: a copy goes upstream (`UpstreamLink.forward`), and chargebook handles the
frame itself too, with the transaction id rewritten to the book's, so the book is kept in
both modes. Who answers:
- upstream primary: the upstream's answer replaces chargebook's, under the charger's message
  id. If the upstream is down, or has not answered within `answer_timeout_s`, chargebook's own
  answer goes out, so the charger keeps working (the copy stays queued; its late answer still
  teaches the upstream's transaction id). This deliberately departs from OCPP Part 4 §6.3
  (close the charger's socket when the CSMS link drops): chargebook keeps the book, so the
  charger must never be cut off.
- chargebook primary: chargebook's answer; the upstream's is only read for its transactionId.

Both OCPP versions pass the same tap; the version (`link.version`) picks the policy's names
and whether transaction ids are mapped (1.6 only: a 2.0.1 station chooses its own).

Upstream CALLs are checked by `policy.upstream_command_refusal`, sent to the charger under a
fresh id while holding the charge point's call lock (one outstanding CALL toward the charger,
shared with chargebook's own commands), and the charger's answer goes back under the
upstream's id; answers to chargebook's own commands never go upstream (Part 4 §6.4).
chargebook's own CALLs are checked by `policy.own_command_refusal`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed

from chargebook.central_system.exceptions import CommandRejectedError
from chargebook.central_system.mirror.link import Outbound, UpstreamLink
from chargebook.central_system.mirror.policy import (
    V16,
    configured_settings,
    own_command_refusal,
    upstream_command_refusal,
)
from chargebook.central_system.mirror.transactions import for_book
from chargebook.domain.ocpp_upstream import UpstreamMode

LOG = logging.getLogger("chargebook.central_system.mirror")


@dataclass
class _ChargerCall:
    action: str
    outbound: Outbound | None


def _dumps(frame: list[Any]) -> str:
    return json.dumps(frame, separators=(",", ":"))


def _parse(raw: str | bytes) -> list[Any] | None:
    try:
        frame = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if isinstance(frame, list) and len(frame) >= 3 and isinstance(frame[1], str):
        return frame
    return None


class MirrorTap:
    """One charger connection's side of the mirror."""

    def __init__(
        self,
        link: UpstreamLink,
        *,
        send_to_charger: Callable[[str], Awaitable[None]],
        call_lock: asyncio.Lock,
        response_timeout_s: float,
        answer_timeout_s: float,
    ) -> None:
        self.link = link
        self.mode: UpstreamMode = link.config.mode
        self.version = link.version  # the charger's OCPP version: the policy's names
        self._cp_id = link.config.charge_point_id
        self._send_to_charger = send_to_charger
        self._call_lock = call_lock
        self._response_timeout_s = response_timeout_s
        self._answer_timeout_s = answer_timeout_s
        self._charger_calls: dict[str, _ChargerCall] = {}
        self._upstream_calls: dict[str, asyncio.Future[list[Any]]] = {}

    # -- frames from the charger ----------------------------------------------------------

    async def from_charger(self, raw: str | bytes) -> str | bytes | None:
        """The frame chargebook should handle (maybe rewritten), or None if it is consumed."""
        frame = _parse(raw)
        if frame is None:
            return raw  # chargebook answers malformed frames itself
        if frame[0] == 2 and len(frame) == 4 and isinstance(frame[3], dict):
            action, payload = str(frame[2]), frame[3]
            outbound = self.link.forward(action, payload)
            self._charger_calls[frame[1]] = _ChargerCall(action, outbound)
            if self.version != V16:
                return raw  # 2.0.1: the station chooses transaction ids, one for everyone
            local = for_book(action, payload, self.link.ids)
            return raw if local is payload else _dumps([2, frame[1], action, local])
        if frame[0] in (3, 4):
            waiter = self._upstream_calls.get(frame[1])
            if waiter is not None:
                if not waiter.done():
                    waiter.set_result(frame)
                return None
        return raw

    # -- frames to the charger ------------------------------------------------------------

    async def to_charger(self, raw: str) -> str | None:
        """The frame to send instead of `raw`.

        Raises:
            CommandRejectedError: `raw` is a chargebook command the mode does not allow.
        """
        frame = _parse(raw)
        if frame is None:
            return raw
        if frame[0] == 2:
            payload = frame[3] if len(frame) > 3 and isinstance(frame[3], dict) else {}
            refusal = own_command_refusal(self.version, self.mode, str(frame[2]), payload)
            if refusal is not None:
                LOG.warning("%s: refused chargebook's %s: %s", self._cp_id, frame[2], refusal)
                raise CommandRejectedError(
                    f"{self._cp_id}: {refusal}", charge_point_id=self._cp_id, code="UpstreamPrimary"
                )
            return raw
        pending = self._charger_calls.pop(frame[1], None)
        if pending is None:
            return raw
        answer = frame
        if self.mode is UpstreamMode.UPSTREAM_PRIMARY:
            answer = await self._upstream_answer(pending, frame)
        if pending.action == "StartTransaction" and self.version == V16:
            self._learn_start(pending, local=frame, sent=answer)
            await self.link.ids.saved()  # stored before the charger can use the id
        return raw if answer is frame else _dumps(answer)

    async def _upstream_answer(self, pending: _ChargerCall, local: list[Any]) -> list[Any]:
        outbound = pending.outbound
        if outbound is None or self.link.known_down:
            LOG.info("%s: upstream down, chargebook answers %s", self._cp_id, pending.action)
            return local
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(outbound.done.wait(), self._answer_timeout_s)
        if outbound.reply is None:
            LOG.info("%s: no upstream answer, chargebook answers %s", self._cp_id, pending.action)
            return local
        return [outbound.reply[0], local[1], *outbound.reply[2:]]

    def _learn_start(self, pending: _ChargerCall, *, local: list[Any], sent: list[Any]) -> None:
        book_tx = _transaction_id(local)
        charger_tx = _transaction_id(sent)
        if charger_tx is None:
            return
        ids = self.link.ids
        if sent is not local:  # the upstream chose the charger's id
            ids.learn(charger_tx, book_tx=book_tx, upstream_tx=charger_tx)
            return
        if pending.outbound is not None:
            pending.outbound.when_answered(
                lambda reply: ids.learn(charger_tx, upstream_tx=_transaction_id(reply))
            )

    # -- upstream commands ----------------------------------------------------------------

    async def on_upstream_call(self, unique_id: str, action: str, payload: dict[str, Any]) -> None:
        """Forward one upstream command to the charger, or refuse it; answer the upstream."""
        refusal = upstream_command_refusal(self.version, self.mode, action, payload)
        if refusal is not None:
            LOG.warning("%s: refused the upstream's %s: %s", self._cp_id, action, refusal.why)
            if refusal.answer is not None:
                await self.link.reply([3, unique_id, refusal.answer])
            else:
                await self.link.reply([4, unique_id, "SecurityError", refusal.why, {}])
            return
        if action == "RemoteStopTransaction" and self.version == V16:
            upstream_tx = payload.get("transactionId")
            charger_tx = (
                self.link.ids.charger_tx_of_upstream(upstream_tx)
                if isinstance(upstream_tx, int)
                else None
            )
            if charger_tx is not None:
                payload = {**payload, "transactionId": charger_tx}
        settings = configured_settings(self.version, action, payload)
        if settings is not None:
            LOG.info("%s: the upstream changes %s", self._cp_id, settings)
        answer = await self._ask_charger(action, payload)
        if answer is not None:
            await self.link.reply([answer[0], unique_id, *answer[2:]])

    async def _ask_charger(self, action: str, payload: dict[str, Any]) -> list[Any] | None:
        charger_id = str(uuid.uuid4())  # never the upstream's id: chargebook's may clash
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        async with self._call_lock:
            self._upstream_calls[charger_id] = future
            try:
                await self._send_to_charger(_dumps([2, charger_id, action, payload]))
                return await asyncio.wait_for(future, self._response_timeout_s)
            except TimeoutError:
                LOG.warning("%s did not answer the upstream's %s", self._cp_id, action)
                return None
            except ConnectionClosed:
                return [4, charger_id, "GenericError", "the charge point disconnected", {}]
            finally:
                self._upstream_calls.pop(charger_id, None)


def _transaction_id(frame: list[Any] | None) -> int | None:
    if frame is None or frame[0] != 3 or len(frame) < 3 or not isinstance(frame[2], dict):
        return None
    value = frame[2].get("transactionId")
    return value if isinstance(value, int) and not isinstance(value, bool) else None
