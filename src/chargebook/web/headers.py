"""Security headers on every response, and no caching of anything but static files.

A pure ASGI middleware (nothing buffered, streaming answers pass through) that adds, unless the
route set them itself:

- `Content-Security-Policy`: scripts, styles, images, fetches and forms from this origin only;
  no inline script and no inline style (the templates have neither: JavaScript lives in
  web/static/js, styles in web/static/*.css); `data:` images for Swagger UI's icons; no
  framing (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for older browsers).
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`,
  `Cross-Origin-Opener-Policy: same-origin`.
- `Strict-Transport-Security` only when the request came over TLS: the ASGI scheme is `https`
  when uvicorn terminates TLS, or behind a TLS proxy when `chargebook serve --proxy-headers` trusts
  its `X-Forwarded-Proto` (uvicorn trusts the addresses in FORWARDED_ALLOW_IPS, 127.0.0.1 by
  default). Over plain HTTP the header would be ignored by browsers anyway, and sending it on
  a development server would pin `localhost` to HTTPS.
- `Cache-Control: no-store` on every answer outside /static: pages and API answers carry
  personal data (sessions, addresses, statements), so no browser or proxy keeps a copy. Static
  files keep their validators (ETag, Last-Modified) and are cached as usual.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000"  # a year; no includeSubDomains: chargebook does not own the domain
NO_STORE = "no-store"
STATIC_PREFIX = "/static/"

_ALWAYS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
)


def security_headers(scheme: str, path: str) -> list[tuple[str, str]]:
    """The headers (lower-case names) every response to a request for `path` carries."""
    headers = list(_ALWAYS)
    if scheme == "https":
        headers.append(("strict-transport-security", HSTS))
    if not path.startswith(STATIC_PREFIX):
        headers.append(("cache-control", NO_STORE))
    return headers


class SecurityHeaders:
    """Adds the security headers (and `Cache-Control: no-store` outside /static) to responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in security_headers(str(scope.get("scheme")), str(scope.get("path")))
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                headers.extend((name, value) for name, value in extra if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
