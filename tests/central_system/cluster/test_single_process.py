"""On SQLite (one process) there is no cluster: the central system is its own command
service, as before issue 20."""

from __future__ import annotations

import pytest

from chargebook.central_system import CentralSystem
from chargebook.central_system.cluster import RoutedCommands, cluster_for, routed_commands
from chargebook.central_system.cluster.node import node_channel
from chargebook.db import Database
from chargebook.settings import Settings


def test_no_cluster_on_sqlite(sqlite_book: Database) -> None:
    database = sqlite_book
    assert cluster_for(database, 1.0) is None
    central = CentralSystem(Settings(), database)
    assert routed_commands(central) is central


@pytest.mark.postgres
def test_a_postgresql_book_gets_a_node_and_routed_commands(pg_book: Database) -> None:
    database = pg_book
    node = cluster_for(database, 1.0)
    assert node is not None
    assert isinstance(
        routed_commands(CentralSystem(Settings(), database, cluster=node)), RoutedCommands
    )
    # The LISTEN channel is an identifier made of the pid and the random part only.
    channel = node_channel(node.node_id)
    assert channel.startswith("chargebook_ocpp_")
    assert len(channel) < 64
    assert node.node_id.split(":")[-2] in channel
