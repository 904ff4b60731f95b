"""Writes that are sent once: when the reply cannot be read, the charger is read back.

A lock, a current change or a remote action may have acted even when its reply is lost or
garbled; sending it again would double it and burn the account's write budget (5 a minute).
`confirmed_write` sends once and, only when the outcome is unknown, spends one read to learn
whether the change shows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import IntEnum
from typing import TypeVar

from chargebook.domain.models import ChargerState, ChargerStatus
from chargebook.wallbox._base import WallboxWriteOutcomeUnknown
from chargebook.wallbox.exceptions import WallboxError, WallboxWriteUnconfirmedError


class RemoteAction(IntEnum):
    """`remote-action` codes chargebook sends. 4 (factory reset) is left out on purpose."""

    RESUME = 1
    PAUSE = 2
    RESTART = 3
    UPDATE_FIRMWARE = 5
    RESUME_SCHEDULE = 9


T = TypeVar("T")
R = TypeVar("R")

# What a read-back must show for a remote action to count as done; None = cannot be told
# from the status (a restart shows Ready before the charger drops off for ~90 s).
ACTION_DONE: dict[RemoteAction, Callable[[ChargerStatus], bool] | None] = {
    RemoteAction.PAUSE: lambda status: status.state is not ChargerState.CHARGING,
    RemoteAction.RESUME: lambda status: status.state is not ChargerState.PAUSED,
    RemoteAction.RESUME_SCHEDULE: lambda status: status.state is not ChargerState.PAUSED,
    RemoteAction.UPDATE_FIRMWARE: lambda status: status.state is ChargerState.UPDATING,
    RemoteAction.RESTART: None,
}


async def confirmed_write(
    what: str,
    charger_id: str,
    send: Callable[[], Awaitable[T]],
    read_back: Callable[[], Awaitable[R]],
    took_effect: Callable[[R], bool],
) -> T | R:
    """Send a write once; when its reply cannot be read, read the charger back.

    Returns the write's own result, or what the read-back shows when that confirms the
    change (one read from the account's budget).

    Raises:
        WallboxWriteUnconfirmedError: the read-back failed or shows the change did not
            take effect; the write is not sent again.
    """
    try:
        return await send()
    except WallboxWriteOutcomeUnknown as unknown:
        problem = unknown.cause.message
    try:
        shown = await read_back()
    except WallboxError as exc:
        raise WallboxWriteUnconfirmedError(
            f"the Wallbox Cloud's reply to {what} could not be read ({problem}), nor could "
            f"the charger be read back ({exc.message}); it was sent once and not again: "
            "check the charger before trying again",
            charger_id=charger_id,
        ) from exc
    if took_effect(shown):
        return shown
    raise WallboxWriteUnconfirmedError(
        f"the Wallbox Cloud's reply to {what} could not be read ({problem}) and the "
        "charger does not show the change; it was sent once and not again: try again",
        charger_id=charger_id,
    )


async def confirmed_action(
    action: RemoteAction,
    charger_id: str,
    send: Callable[[], Awaitable[None]],
    read_status: Callable[[], Awaitable[ChargerStatus]],
) -> None:
    """Send a remote action once and, when its reply is lost, confirm it from the status.

    Raises:
        WallboxWriteUnconfirmedError: the reply was lost and the status does not show the
            action (or cannot: a restart); it is not sent again.
    """
    done = ACTION_DONE[action]
    what = action.name.lower().replace("_", " ")
    if done is not None:
        await confirmed_write(f"the {what}", charger_id, send, read_status, done)
        return
    try:
        await send()
    except WallboxWriteOutcomeUnknown as unknown:
        raise WallboxWriteUnconfirmedError(
            f"the Wallbox Cloud's reply to the {what} could not be read "
            f"({unknown.cause.message}); it was sent once and not again, and a {what} "
            "cannot be confirmed by reading the charger: check it before trying again",
            charger_id=charger_id,
        ) from unknown.cause


def describe_update(locked: bool | None, max_current_a: int | None) -> str:
    """What a `PUT v2/charger` changes, in words for a message."""
    parts = []
    if locked is not None:
        parts.append("the lock" if locked else "the unlock")
    if max_current_a is not None:
        parts.append(f"the current limit of {max_current_a} A")
    return " and ".join(parts)
