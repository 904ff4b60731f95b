"""Short garbage-collector pauses for the web app.

Once the app is built, about 250,000 objects exist that live as long as the process: the
imported libraries, the app with its routes, schemas and templates. CPython's full collection
walks all of them and holds the GIL meanwhile: on the 2-core benchmark machine one such pause
took 190 ms and landed in a request now and then (a p99 of 206-231 ms on pages that answer in
10 ms; `bench/README.md`, Web). Frozen (`gc.freeze()`) they are left out of every collection,
while reference counting still frees them; only what requests create is walked.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect the garbage of start-up, then freeze every object that exists now; returns how
    many objects are frozen. Call once, after the app is built and before serving."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
