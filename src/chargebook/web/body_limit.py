"""A bound on every request body, enforced while it streams in (a clear 413 past it).

A pure ASGI middleware, so the bound holds before anything reads the body whole:

- a `Content-Length` over the limit is answered 413 at once, before the app runs;
- a body without one (chunked) or one that lies is counted as it is received, and the first
  chunk past the limit raises `HTTPException(413)` inside the app's `receive`, which FastAPI
  passes on untouched and the app's handlers render (JSON under /api, an error page elsewhere).

Limits: 1 MiB for every body today (JSON of the REST API and plan previews, page forms).
chargebook's web app has no upload route (the SAP import and evidence are CLI files); an upload
route gets its own, larger bound through `limits_by_prefix`, e.g. `{"/operator/uploads": 20 MiB}`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIB = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 1 * MIB


def too_large_detail(limit: int) -> str:
    """What a 413 says: the limit in a unit a person reads."""
    if limit % MIB == 0:
        return f"the request body is larger than {limit // MIB} MiB"
    return f"the request body is larger than {limit} bytes"


class BodyLimit:
    """Answers 413 to a request whose body is larger than the limit of its path."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        limits_by_prefix: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Longest prefix first, so a specific upload path wins over a general one.
        self.limits_by_prefix = sorted(
            (limits_by_prefix or {}).items(), key=lambda item: len(item[0]), reverse=True
        )

    def limit_for(self, path: str) -> int:
        """The largest body accepted on `path`, in bytes."""
        for prefix, limit in self.limits_by_prefix:
            if path.startswith(prefix):
                return limit
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(str(scope.get("path", "")))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, too_large_detail(limit))
            return message

        await self.app(scope, counted_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # uvicorn refuses a malformed length; counted all the same
    return None


async def _refuse(send: Send, limit: int) -> None:
    # Before the app runs: the same JSON shape as every API error; pages show it as text.
    body = json.dumps({"error": "PayloadTooLarge", "detail": too_large_detail(limit)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
