"""The bridge's configuration from the settings: the broker URL, split and checked.

`CHARGEBOOK_MQTT_URL` is `mqtt://user:password@host:1883` (`mqtts://` for TLS, port 8883 by
default). The password stays a `SecretStr`: no repr, log line or error message shows it, and
a bad URL is refused without repeating it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr

from chargebook.errors import ConfigurationError
from chargebook.settings import Settings

_DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
# MQTT topic levels the bridge builds on: no wildcards, no empty levels, no spaces.
_PREFIX = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")
_EXAMPLE = "use e.g. mqtt://user:password@192.168.1.10:1883 (mqtts:// for TLS)"


@dataclass(frozen=True, slots=True)
class MqttConfig:
    """Where the broker is and how the bridge talks to it; `owners` empty = every owner."""

    host: str
    port: int
    tls: bool
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    prefix: str = "chargebook"
    discovery_prefix: str = "homeassistant"
    interval_s: float = 60.0
    owners: tuple[str, ...] = ()
    commands: bool = True

    @property
    def where(self) -> str:
        """The broker as a log line may name it (no user, no password)."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_broker_url(url: str) -> tuple[str, int, bool, str | None, SecretStr | None]:
    """(host, port, tls, username, password) of an mqtt:// or mqtts:// URL.

    Raises:
        ConfigurationError: not such a URL (the message never repeats it: it holds a password).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"CHARGEBOOK_MQTT_URL is not a URL; {_EXAMPLE}") from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ConfigurationError(f"CHARGEBOOK_MQTT_URL is not an mqtt(s):// URL; {_EXAMPLE}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigurationError(f"CHARGEBOOK_MQTT_URL has no path or ?query; {_EXAMPLE}")
    username = unquote(parts.username) if parts.username else None
    password = SecretStr(unquote(parts.password)) if parts.password is not None else None
    return (
        parts.hostname,
        port or _DEFAULT_PORTS[parts.scheme],
        parts.scheme == "mqtts",
        username,
        password,
    )


def _prefix(name: str, value: str) -> str:
    if not _PREFIX.match(value):
        raise ConfigurationError(
            f"{name} must be topic levels of letters, digits, _ and - (e.g. chargebook)"
        )
    return value


def mqtt_config(settings: Settings) -> MqttConfig | None:
    """The bridge's configuration, or None when `CHARGEBOOK_MQTT_URL` is unset.

    Raises:
        ConfigurationError: a bad URL or topic prefix.
    """
    if settings.mqtt_url is None or not settings.mqtt_url.get_secret_value().strip():
        return None
    host, port, tls, username, password = parse_broker_url(settings.mqtt_url.get_secret_value())
    owners = tuple(
        sorted({e.strip().lower() for e in settings.mqtt_owners.split(",") if e.strip()})
    )
    return MqttConfig(
        host=host,
        port=port,
        tls=tls,
        username=username,
        password=password,
        prefix=_prefix("CHARGEBOOK_MQTT_PREFIX", settings.mqtt_prefix),
        discovery_prefix=_prefix(
            "CHARGEBOOK_MQTT_DISCOVERY_PREFIX", settings.mqtt_discovery_prefix
        ),
        interval_s=settings.mqtt_interval_s,
        owners=owners,
        commands=settings.mqtt_commands,
    )
