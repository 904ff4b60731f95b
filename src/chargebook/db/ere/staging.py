"""A period's verdicts evaluated once, into a temporary table, for batch creation.

A batch needs the verdicts twice: grouped (for its lines) and per session (to register the
eligible ones under their line). Running the rules query for each doubled the work at a
million sessions; `stage_verdicts` runs it once into `ere_staged_verdicts` (a narrow row per
candidate session, in the connection's temporary space), groups from there, and
`register_staged` inserts the eligible sessions from it. The table lives only inside the
caller's transaction: dropped by `register_staged`, by rollback, and on PostgreSQL also at
commit (`ON COMMIT DROP`).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.ere.eligibility import (
    VerdictGroup,
    VerdictQuery,
    groups_of,
    net_kwh,
    summary_query,
    verdicts,
)
from chargebook.db.ere.sql_settings import bulk_settings
from chargebook.db.ere.tables import EreBatchLineRow, EreBatchSessionRow

_metadata = MetaData()
STAGED = Table(
    "ere_staged_verdicts",
    _metadata,
    Column("session_id", Integer, nullable=False),
    Column("customer_id", Integer, nullable=False),
    Column("booking_ean", String(18), nullable=False),
    Column("month", Integer, nullable=False),
    Column("metering_kind", String(30)),
    Column("mandate_id", Integer),
    Column("net_micro_kwh", BigInteger, nullable=False),
    Column("failure_mask", Integer, nullable=False),
    Column("raw_sha256", String(64)),  # PostgreSQL only, see `stage_verdicts`
    # SQLite: the session id as the rowid, so the staged rows are read in session order
    # without a sort (the registration then appends to its table, keyed the same way).
    PrimaryKeyConstraint("session_id").ddl_if(dialect="sqlite"),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def stage_verdicts(session: Session, query: VerdictQuery) -> list[VerdictGroup]:
    """Evaluate the rules over the period once into `ere_staged_verdicts` and return the
    groups (as `ere_eligibility.summarize`). Call `register_staged` in the same transaction."""
    connection = session.connection()
    dialect = connection.dialect.name
    STAGED.drop(connection, checkfirst=True)
    STAGED.create(connection)
    # PostgreSQL: the evidence hash is staged with the verdict (from the row the rules read),
    # saving the registration an index lookup per session (1.7 s at 1M). On SQLite the wider
    # staged rows cost more than the lookups by rowid in session order.
    v = verdicts(query, dialect, with_sha=dialect == "postgresql")
    columns = [column.name for column in STAGED.columns if column.name in v.c]
    with bulk_settings(connection):
        connection.execute(
            insert(STAGED).from_select(columns, select(*(v.c[name] for name in columns)))
        )
        if dialect == "postgresql":
            # A temporary table has no statistics until analysed (autovacuum skips it); the
            # lines were written in this transaction too. Both steer the plans below.
            connection.exec_driver_sql("ANALYZE ere_staged_verdicts")
        staged = select(STAGED).subquery("staged")
        rows = connection.execute(summary_query(staged))
        return groups_of(rows)


def register_staged(session: Session, batch_id: int) -> int:
    """INSERT every staged eligible session into `ere_batch_sessions` under its line of
    `batch_id` (matched by customer and booking EAN), with the raw evidence hash as staged;
    drop the staged table; return the rows inserted.

    A session registered meanwhile would violate the primary key (the caller holds the
    registration lock, so staging already excluded registered sessions).
    """
    connection = session.connection()
    dialect = connection.dialect.name
    line, cs = EreBatchLineRow, ChargingSessionRow
    staged = STAGED.c
    postgres = dialect == "postgresql"
    source = (
        select(
            staged.session_id,
            literal(batch_id, Integer),
            line.id,
            net_kwh(staged.net_micro_kwh, dialect),
            staged.raw_sha256 if postgres else cs.raw_sha256,
        )
        .select_from(STAGED)
        .join(
            line,
            and_(
                line.batch_id == batch_id,
                line.customer_user_id == staged.customer_id,
                line.ean == staged.booking_ean,
            ),
        )
        .where(staged.failure_mask == 0)
        # In primary-key order (a sort on PostgreSQL, the staged rowid order on SQLite): the
        # registrations' key index (PostgreSQL) or table (SQLite, keyed by the session id)
        # is appended to instead of written at a random place per row (SQLite, 1M sessions
        # of interleaved customers: 13.6 s CPU unsorted, 4.6 s sorted).
        .order_by(staged.session_id)
    )
    if not postgres:
        source = source.join(cs, cs.id == staged.session_id)
    if dialect == "postgresql":
        # The lines were written in this transaction and have no statistics yet; analysed,
        # the join to them is planned as a hash join.
        connection.exec_driver_sql("ANALYZE ere_batch_lines")
    with bulk_settings(connection):
        # Core execution with `preserve_rowcount`: otherwise an INSERT reports no row count.
        result = connection.execution_options(preserve_rowcount=True).execute(
            insert(EreBatchSessionRow.__table__).from_select(  # type: ignore[arg-type]
                ["session_id", "batch_id", "line_id", "energy_kwh", "raw_sha256"], source
            )
        )
    STAGED.drop(connection)
    return int(result.rowcount)


def drop_staged(session: Session) -> None:
    """Drop the staged verdicts (when no batch is made from them)."""
    STAGED.drop(session.connection(), checkfirst=True)
