"""HeapSettler: long-lived objects are frozen as connections grow, and released after a drop."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from chargebook.central_system.heap import HeapSettler


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # never leave the test process frozen


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_freezes_at_start_and_after_a_tenth_more_connections() -> None:
    settler = HeapSettler(minimum_step=50)
    settler.start()
    assert settler.freezes == 1
    assert gc.get_freeze_count() > 0
    settler.connections_changed(49)
    assert settler.freezes == 1
    settler.connections_changed(50)
    assert settler.freezes == 2
    settler.connections_changed(1000)
    settler.connections_changed(1099)  # less than a tenth more
    assert settler.freezes == 3
    settler.connections_changed(1100)
    assert settler.freezes == 4


def test_garbage_is_collected_before_freezing_and_after_a_big_drop() -> None:
    settler = HeapSettler(minimum_step=1)
    Node()  # garbage made before the freeze is collected, not frozen
    settler.start()
    assert not [o for o in gc.get_objects() if isinstance(o, Node)]
    kept = Node()
    settler.connections_changed(100)  # frozen: out of the collector's sight
    del kept
    gc.collect()
    settler.connections_changed(40)  # below half: unfreeze, collect, freeze again
    assert settler.freezes == 3
    gc.unfreeze()  # a Node still frozen would now be back in sight, not collected
    assert not [o for o in gc.get_objects() if isinstance(o, Node)]


async def test_a_mass_drop_is_collected_once_when_it_is_over() -> None:
    settler = HeapSettler(minimum_step=1, quiet_s=0.05)
    settler.start()
    settler.connections_changed(2000)
    for connected in range(1999, -1, -1):  # the whole fleet drops, one close at a time
        settler.connections_changed(connected)
    assert settler.freezes == 2  # nothing while the drop is under way
    await asyncio.sleep(0.2)
    assert settler.freezes == 3  # one full collection afterwards, not one per halving
    settler.stop()
