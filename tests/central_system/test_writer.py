"""The book writer: one thread, every queued operation in one batch, outcomes back per
operation; answers only after the commit; a stop finishes what is queued."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from chargebook.central_system.writer import BookWriter
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.domain.ports import OcppBook

from .helpers import CP_ID, register


async def test_operations_queued_together_share_one_batch(
    database: Database, clock: FixedClock
) -> None:
    writer = BookWriter(database, clock)
    books: set[int] = set()

    def operation(n: int) -> Any:
        def apply(book: OcppBook) -> int:
            books.add(id(book))  # one SqlOcppBook per batch
            return n * 2

        return apply

    results = await asyncio.gather(*(writer.run(operation(n)) for n in range(200)))
    assert results == [n * 2 for n in range(200)]
    assert len(books) == 1  # 200 operations, one thread round trip and one commit
    await writer.stop()


async def test_a_failing_operation_fails_alone(database: Database, clock: FixedClock) -> None:
    register(database, clock, CP_ID)
    writer = BookWriter(database, clock)

    def boom(book: OcppBook) -> None:
        raise ValueError("this operation is wrong")

    good = [writer.run(lambda book: book.chargers.credentials(CP_ID)) for _ in range(3)]
    outcomes = await asyncio.gather(*good, writer.run(boom), return_exceptions=True)
    assert all(o is not None and not isinstance(o, BaseException) for o in outcomes[:3])
    assert isinstance(outcomes[3], ValueError)
    await writer.stop()


async def test_a_cancelled_waiter_leaves_the_others_their_answers(
    database: Database, clock: FixedClock
) -> None:
    writer = BookWriter(database, clock)
    first = asyncio.ensure_future(writer.run(lambda book: 1))
    second = asyncio.ensure_future(writer.run(lambda book: 2))
    await asyncio.sleep(0)
    first.cancel()
    assert await second == 2
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await writer.run(lambda book: 3) == 3
    await writer.stop()


def test_stop_finishes_the_queue_and_a_new_loop_can_use_the_writer(
    database: Database, clock: FixedClock
) -> None:
    writer = BookWriter(database, clock)
    done: list[int] = []

    async def session() -> None:
        tasks = [
            asyncio.ensure_future(writer.run(lambda book, n=n: done.append(n))) for n in range(5)
        ]
        await asyncio.sleep(0)  # queued, not yet answered
        await writer.stop()  # waits for them
        assert all(task.done() for task in tasks)

    asyncio.run(session())
    asyncio.run(session())  # another event loop, as a restarted server would have
    assert done == list(range(5)) * 2


async def test_an_operation_queued_while_stopping_still_runs(
    database: Database, clock: FixedClock
) -> None:
    writer = BookWriter(database, clock)

    async def one_then_another() -> int:
        assert await writer.run(lambda book: 1) == 1
        # Resumed just before the waiting stop: queued after it saw the writer idle.
        result: int = await writer.run(lambda book: 2)
        return result

    handler = asyncio.ensure_future(one_then_another())
    await asyncio.sleep(0)  # the first operation is queued
    stopping = asyncio.ensure_future(writer.stop())
    assert await asyncio.wait_for(handler, timeout=10) == 2
    await stopping
    await writer.stop()
