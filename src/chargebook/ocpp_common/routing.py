"""A typed face for the `ocpp` library's untyped `@on` decorator (mypy --strict)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ocpp.routing import on

F = TypeVar("F", bound=Callable[..., Any])


def handles(action: str) -> Callable[[F], F]:
    """`@on(action)`: mark a ChargePoint method as the handler of an incoming OCPP action."""
    decorator: Callable[[F], F] = on(action)
    return decorator
