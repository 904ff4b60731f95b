"""The connection registry's statements (`ocpp_connections`, `ocpp_nodes`; PostgreSQL only).

A claim is one statement: the upsert bumps the epoch and NOTIFYs every node in the same
transaction, so the notification arrives only once the claim is visible (PostgreSQL delivers
NOTIFY at commit). A release clears `node_id` only where this node's epoch still stands, so a
late close of a replaced socket never clears its successor.
"""

from __future__ import annotations

CLAIM = """
WITH claim AS (
  INSERT INTO ocpp_connections (charge_point_id, node_id, epoch, protocol, connected_at)
  VALUES (%(cp)s, %(node)s, 1, %(protocol)s, clock_timestamp())
  ON CONFLICT (charge_point_id) DO UPDATE SET
    node_id = EXCLUDED.node_id, epoch = ocpp_connections.epoch + 1,
    protocol = EXCLUDED.protocol, connected_at = EXCLUDED.connected_at
  RETURNING epoch
)
SELECT epoch, pg_notify(%(channel)s, %(cp)s || ' ' || %(node)s || ' ' || epoch) FROM claim
"""

RELEASE = """
UPDATE ocpp_connections SET node_id = NULL
WHERE charge_point_id = %s AND node_id = %s AND epoch = %s
"""

HOLDER = """
SELECT c.node_id, c.protocol FROM ocpp_connections c JOIN ocpp_nodes n USING (node_id)
WHERE c.charge_point_id = %s AND n.heartbeat_at > clock_timestamp() - make_interval(secs => %s)
"""

HEARTBEAT = """
INSERT INTO ocpp_nodes (node_id, started_at, heartbeat_at)
VALUES (%s, clock_timestamp(), clock_timestamp())
ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at
"""

LEAVE_CONNECTIONS = "UPDATE ocpp_connections SET node_id = NULL WHERE node_id = %s"
LEAVE_NODE = "DELETE FROM ocpp_nodes WHERE node_id = %s"

# Nodes that stopped heartbeating long ago (killed), so the table does not grow forever.
FORGET_DEAD = """
DELETE FROM ocpp_nodes WHERE heartbeat_at < clock_timestamp() - make_interval(secs => %s)
"""

SCHEMA = "SELECT current_schema()"

# After a reconnect: the rows of the sockets held here (`cps`, `epochs`) name this node again
# where their epoch still stands; rows naming this node for a socket it no longer holds (closed
# while the release could not be written) are cleared. Returned: the held charge points whose
# epoch moved on (another node claimed them while this one was not listening), to close here.
# (PostgreSQL runs every data-modifying WITH part to completion, read or not.)
REASSERT = """
WITH held AS (
  SELECT * FROM unnest(%(cps)s::text[], %(epochs)s::bigint[]) AS h(charge_point_id, epoch)
), mine AS (
  UPDATE ocpp_connections c SET node_id = %(node)s FROM held h
  WHERE c.charge_point_id = h.charge_point_id AND c.epoch = h.epoch
  RETURNING c.charge_point_id
), gone AS (
  UPDATE ocpp_connections SET node_id = NULL
  WHERE node_id = %(node)s AND charge_point_id <> ALL(%(cps)s::text[])
  RETURNING charge_point_id
)
SELECT h.charge_point_id, c.epoch FROM held h JOIN ocpp_connections c USING (charge_point_id)
WHERE h.charge_point_id NOT IN (SELECT charge_point_id FROM mine)
"""
