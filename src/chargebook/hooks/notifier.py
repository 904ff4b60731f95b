"""Sends a notification through Apprise (e-mail, ntfy, Telegram, Gotify, JSON webhooks...).

Apprise URLs carry secrets (tokens, passwords): they are stored encrypted and never logged.
URLs of the schemes that address any host (json://, ntfy://, gotify://, mailto:// with a
server...) pass the same address check as webhooks, so an owner cannot point the server at
its own network; schemes of fixed cloud services (tgram://, discord://...) need no check.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import apprise

from chargebook.hooks.targets import Target, WebhookUrlError, resolve_target

_LOGGER = logging.getLogger(__name__)

# Apprise schemes whose host part is a server the owner chooses.
HOST_SCHEMES = frozenset(
    {
        "json",
        "jsons",
        "xml",
        "xmls",
        "form",
        "forms",
        "ntfy",
        "ntfys",
        "gotify",
        "gotifys",
        "apprise",
        "apprises",
        "mailto",
        "mailtos",
        "matrix",
        "matrixs",
        "mqtt",
        "mqtts",
        "rocket",
        "rockets",
        "mmost",
        "mmosts",
        "nctalk",
        "nctalks",
        "ncloud",
        "nclouds",
    }
)


class NotificationUrlError(WebhookUrlError):
    """An Apprise URL that Apprise does not know or the server may not call."""


async def check_notification_url(url: str, *, allow_private: bool) -> str:
    """The URL if Apprise understands it and, for a host-addressed scheme, its host is public.

    Raises:
        NotificationUrlError: with the reason, never with the URL (it holds secrets).
    """
    url = url.strip()
    if apprise.Apprise.instantiate(url) is None:
        raise NotificationUrlError(
            "a notification URL is not one Apprise understands (see the Apprise wiki)"
        )
    parts = urlsplit(url)
    if parts.scheme.lower() in HOST_SCHEMES:
        target = Target("https", parts.hostname or "", 443, "/")
        try:
            if not target.host:
                raise WebhookUrlError("it names no host")
            await resolve_target(target, allow_private=allow_private)
        except WebhookUrlError as exc:
            raise NotificationUrlError(f"a notification URL's host is refused: {exc}") from None
    return url


class AppriseNotifier:
    """One message to a list of Apprise URLs."""

    async def send(self, urls: list[str], title: str, body: str) -> bool:
        """True when every URL took the message; failures are logged without the URLs."""
        if not urls:
            return False
        sender = apprise.Apprise()
        for url in urls:
            sender.add(url)
        ok = bool(await sender.async_notify(body=body, title=title))
        if not ok:
            _LOGGER.warning("a notification could not be sent to every target (%d)", len(urls))
        return ok
