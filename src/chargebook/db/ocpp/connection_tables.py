"""The connection registry of several central-system processes serving one PostgreSQL book
(`central_system.cluster`): which process (node) holds each charge point's socket, and when
each node last said it is alive. Imported by `chargebook.db.schema`. Keyed by the charge
point id, not the charger row: an unknown charger may connect before it is in the book."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from chargebook.db.core.base import Base
from chargebook.db.core.types import UTCDateTime


class OcppConnectionRow(Base):
    """The newest connection of a charge point. `epoch` grows by one per connection (it is
    never reset: a disconnect only clears `node_id`), so a node can tell whether another
    node's claim is newer than its own socket."""

    __tablename__ = "ocpp_connections"

    charge_point_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    node_id: Mapped[str | None] = mapped_column(String(100))
    epoch: Mapped[int] = mapped_column(BigInteger())
    protocol: Mapped[str] = mapped_column(String(20))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OcppNodeRow(Base):
    """A central-system process; its connections count only while `heartbeat_at` is fresh."""

    __tablename__ = "ocpp_nodes"

    node_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime())
