"""Schema objects that exist on one backend only, and the model comparison that knows it.

`ere_batch_sessions` keeps declared foreign keys on SQLite, while PostgreSQL checks the same
keys with statement-level triggers (migration 0009: a million row-level checks cost more
than the registration itself). The models say so with `only_on("sqlite", constraint)`:
`create_all` then renders the constraint on that backend only, and `include_object_for`
(Alembic's `include_object` hook, used by the migrations' env and the models-vs-migrations
test) leaves it out of the comparison on the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.schema import Constraint

_DIALECTS = "only_on_dialects"
C = TypeVar("C", bound=Constraint)


def only_on(dialect: str, constraint: C) -> C:
    """`constraint`, created (and compared) only on `dialect` ("sqlite", "postgresql")."""
    constraint.info[_DIALECTS] = (dialect,)
    constraint.ddl_if(dialect=dialect)
    return constraint


def include_object_for(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's `include_object` hook for a database of `dialect`: False for a model
    constraint marked `only_on` another backend."""

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        info = getattr(obj, "info", None) if not reflected else None
        dialects = info.get(_DIALECTS) if isinstance(info, dict) else None
        return dialects is None or dialect in dialects

    return include_object
