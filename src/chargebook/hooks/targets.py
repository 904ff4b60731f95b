"""Which URLs a webhook may call (server-side request forgery is the threat).

An owner must not make the server call its own network: the metadata service, the database,
the admin port of a router. So a URL must be https (plain http only to a loopback address
when private targets are allowed, for tests and development), carry no credentials, and every
address its host resolves to must be public. The check runs at creation and again at every
delivery, and the delivery then connects to the very address that passed (no second lookup a
DNS rebinding could answer differently).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from chargebook.errors import ChargebookError

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookUrlError(ChargebookError):
    """The webhook URL is not one the server may call."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, at least "/"


def parse_target(url: str, *, allow_private: bool) -> Target:
    """Check the URL's form (not yet its addresses).

    Raises:
        WebhookUrlError: not https (or http to loopback when allowed), has credentials or a
            fragment, or no host.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise WebhookUrlError("the webhook URL is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookUrlError("the webhook URL must be an https:// URL with a host")
    if parts.username or parts.password:
        raise WebhookUrlError("the webhook URL must not contain a user name or password")
    if parts.fragment:
        raise WebhookUrlError("the webhook URL must not have a #fragment")
    if len(url) > 2000:
        raise WebhookUrlError("the webhook URL is longer than 2000 characters")
    host = parts.hostname
    if parts.scheme == "http" and not (allow_private and _is_loopback_name(host)):
        raise WebhookUrlError("the webhook URL must use https (http only to loopback in tests)")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(address: IpAddress, *, allow_private: bool) -> None:
    """Raises WebhookUrlError for a non-public address unless private targets are allowed."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if allow_private and not (address.is_multicast or address.is_unspecified):
        return
    if not address.is_global or address.is_multicast:
        raise WebhookUrlError(
            f"the webhook URL points to a private or reserved address ({address}); "
            "only public addresses may be called"
        )


async def resolve_target(target: Target, *, allow_private: bool) -> IpAddress:
    """The first address of the host, after checking every address it resolves to.

    Raises:
        WebhookUrlError: the host does not resolve, or an address is not public.
    """
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise WebhookUrlError(f"the webhook host {target.host!r} does not resolve") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise WebhookUrlError(f"the webhook host {target.host!r} does not resolve")
    for address in addresses:
        check_address(address, allow_private=allow_private)
    return addresses[0]
