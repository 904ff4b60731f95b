"""A real MQTT broker per test: Debian's Mosquitto on a free loopback port, with a password
file (no anonymous clients), started from a temporary config and stopped afterwards.

`.ci/run` installs Mosquitto and sets CHARGEBOOK_REQUIRE_MOSQUITTO=1, so in CI a missing
broker fails these tests instead of skipping them.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.core.testing import SqliteTemplate

from .rig import Broker, Rig, build_rig


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/bin"):
        if os.access(f"{folder}/{name}", os.X_OK):
            return f"{folder}/{name}"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"mosquitto exited: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail("mosquitto did not listen within 10 s")


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    mosquitto, passwd = _binary("mosquitto"), _binary("mosquitto_passwd")
    if mosquitto is None or passwd is None:
        if os.environ.get("CHARGEBOOK_REQUIRE_MOSQUITTO") == "1":
            pytest.fail("CHARGEBOOK_REQUIRE_MOSQUITTO=1 but mosquitto is not installed")
        pytest.skip("the MQTT tests need Mosquitto (apt install mosquitto)")
    folder = tmp_path / "mosquitto"
    folder.mkdir()
    broker = Broker("127.0.0.1", _free_port(), "chargebook", "broker-secret-9f3a")
    passwords = folder / "passwords"
    subprocess.run(
        [passwd, "-b", "-c", str(passwords), broker.username, broker.password],
        check=True,
        capture_output=True,
    )
    passwords.chmod(0o600)
    config = folder / "mosquitto.conf"
    config.write_text(
        f"listener {broker.port} 127.0.0.1\n"
        "allow_anonymous false\n"
        f"password_file {passwords}\n"
        "persistence false\n"
        # Run as root (CI), Mosquitto would drop to its own user, who cannot read tmp_path.
        f"user {getpass.getuser()}\n"
    )
    log = folder / "mosquitto.log"
    with log.open("wb") as out:
        process = subprocess.Popen([mosquitto, "-c", str(config)], stdout=out, stderr=out)
    try:
        _wait_listening(broker.port, process, log)
        yield broker
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def book(_sqlite_template: SqliteTemplate, tmp_path: Path) -> Iterator[Database]:
    database = _sqlite_template.clone(tmp_path / "mqtt.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def rig(book: Database, clock: FixedClock, broker: Broker, isolated_data_dir: Path) -> Rig:
    return build_rig(book, clock, broker, isolated_data_dir)
