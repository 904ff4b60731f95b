"""Who may see what an owner owns: the one rule the doors ask (`Viewer.may_see`)."""

from __future__ import annotations

from datetime import UTC, datetime

from chargebook.domain.access import Viewer
from chargebook.domain.users import User, UserRole

WHEN = datetime(2026, 12, 7, tzinfo=UTC)


def _viewer(user_id: int, role: UserRole) -> Viewer:
    return Viewer(User(user_id, f"u{user_id}@example.com", role, WHEN))


def test_an_owner_sees_only_their_own() -> None:
    owner = _viewer(7, UserRole.OWNER)
    assert owner.may_see(7)
    assert not owner.may_see(8)
    assert not owner.may_see(None)  # unclaimed: not theirs


def test_the_operator_sees_everything() -> None:
    operator = _viewer(1, UserRole.OPERATOR)
    assert operator.may_see(7)
    assert operator.may_see(None)
