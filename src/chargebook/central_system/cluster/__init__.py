"""Several central-system processes serving one PostgreSQL book (issue 20).

Each process is a node (`node_id`: host, pid and a random part). The `ocpp_connections` table
says which node holds each charge point; the newest connection wins: a claim bumps the
charge point's epoch and NOTIFYs every node, and a node holding an older socket for it closes
that socket. Commands for a charge point another node holds travel over PostgreSQL
LISTEN/NOTIFY (`bus.py`) with a request id, the requester's reply channel and a timeout
(`node.py`); `RoutedCommands` (`routed.py`) is the command service the charger controls use.
A killed node stops heartbeating, so after the lease its rows no longer count; its chargers
reconnect elsewhere and take over. On SQLite (one process) none of this runs.
"""

from chargebook.central_system.cluster.node import ClusterNode, cluster_for
from chargebook.central_system.cluster.routed import RoutedCommands, routed_commands

__all__ = ["ClusterNode", "RoutedCommands", "cluster_for", "routed_commands"]
