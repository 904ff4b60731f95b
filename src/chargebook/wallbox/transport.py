"""The HTTP transport a Wallbox client runs on, named for the composition roots.

Web, worker and CLI pass a transport through (production: none, the real network; tests and the
demo: the simulator's ASGI app) without importing httpx themselves: httpx stays in the adapters.
"""

from __future__ import annotations

from typing import TypeAlias

import httpx

HttpTransport: TypeAlias = httpx.AsyncBaseTransport
