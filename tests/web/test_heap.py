"""The web app's start-up heap is frozen out of the garbage collector (chargebook.web.heap)."""

from __future__ import annotations

import gc

from chargebook.web.heap import freeze_startup_heap


def test_objects_existing_at_start_are_frozen_and_later_ones_are_not() -> None:
    before = [["start-up object"]]  # a tracked container, as the app's objects are
    try:
        frozen = freeze_startup_heap()
        after = [["made by a request"]]
        collected = gc.get_objects()  # the generations the collector walks, not the frozen
        assert frozen >= 1
        assert not any(obj is before for obj in collected)
        assert any(obj is after for obj in collected)
    finally:
        gc.unfreeze()
    assert any(obj is before for obj in gc.get_objects())
