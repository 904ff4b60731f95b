"""CHARGEBOOK_MQTT_URL: split and checked, and its password shown nowhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from chargebook.errors import ConfigurationError
from chargebook.mqtt.config import mqtt_config
from chargebook.settings import Settings

SECRET = "s3cret-p@ss"


def settings(url: str | None, **more: object) -> Settings:
    return Settings(mqtt_url=SecretStr(url) if url is not None else None, **more)  # type: ignore[arg-type]


def test_unset_means_no_bridge() -> None:
    assert mqtt_config(settings(None)) is None


def test_an_mqtt_url_gives_host_port_user_and_a_hidden_password() -> None:
    config = mqtt_config(settings("mqtt://ha:s3cret-p%40ss@192.168.1.10:1884"))
    assert config is not None
    assert (config.host, config.port, config.tls, config.username) == (
        "192.168.1.10", 1884, False, "ha",
    )  # fmt: skip
    assert config.password is not None
    assert config.password.get_secret_value() == SECRET
    assert SECRET not in repr(config)
    assert SECRET not in config.where
    assert SECRET not in repr(settings("mqtt://ha:s3cret-p%40ss@h:1"))


def test_mqtts_is_tls_on_8883_by_default() -> None:
    config = mqtt_config(settings("mqtts://broker.example.nl"))
    assert config is not None
    assert (config.port, config.tls, config.username, config.password) == (8883, True, None, None)


def test_owners_are_read_as_a_list_of_e_mails() -> None:
    config = mqtt_config(settings("mqtt://h", mqtt_owners=" B@example.com, a@example.com ,"))
    assert config is not None
    assert config.owners == ("a@example.com", "b@example.com")


@pytest.mark.parametrize(
    "url",
    [
        "http://user:s3cret-p@ss@host:1883",
        "mqtt://user:s3cret-p@ss@host:99999",
        "mqtt://user:s3cret-p@ss@host:1883/topic",
        "user:s3cret-p@ss@host",
    ],
)
def test_a_bad_url_is_refused_without_repeating_it(url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        mqtt_config(settings(url))
    assert "s3cret" not in refused.value.message
    assert "CHARGEBOOK_MQTT_URL" in refused.value.message


def test_a_prefix_with_wildcards_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="CHARGEBOOK_MQTT_PREFIX"):
        mqtt_config(settings("mqtt://h", mqtt_prefix="charge/#"))


def test_every_variable_the_guide_names_is_a_setting() -> None:
    guide = Path(__file__).resolve().parents[2] / "docs" / "home-assistant.md"
    names = set(re.findall(r"\bCHARGEBOOK_[A-Z0-9_]+\b", guide.read_text(encoding="utf-8")))
    assert "CHARGEBOOK_MQTT_URL" in names
    unknown = [n for n in sorted(names) if n.removeprefix("CHARGEBOOK_").lower()
               not in Settings.model_fields]  # fmt: skip
    assert unknown == []
