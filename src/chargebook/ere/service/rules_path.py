"""Which implementation of the eligibility rules a use case runs: THE one place that chooses.

The pure Python rules (`chargebook.ere.evaluate_sessions`, streamed by `context.py`) are the
reference; the set-based query (`sql_path.py`, `chargebook.db.ere.eligibility`) reproduces
them inside the database whenever each charger's metering constructs are disjoint in time (the
repository's invariant). Every use case that judges whole periods (the eligibility report,
batch creation, an owner's credits) asks `rules_path` and nothing else, so the web, the CLI,
the worker and the demo always take the same path on the same book.
"""

from __future__ import annotations

from enum import StrEnum

from chargebook.db.ere.store import EreStore


class RulesPath(StrEnum):
    SQL = "sql"  # the rules as one query, no session row through Python
    PYTHON = "python"  # the reference rules over a stream of the sessions


def rules_path(store: EreStore) -> RulesPath:
    """The path that gives the reference answer on this book at the lowest cost."""
    return RulesPath.SQL if store.constructs_are_disjoint() else RulesPath.PYTHON
