"""Schemathesis against /openapi.json: generated requests with a token of every scope never get
a 5xx, and responses match the documented schemas, on SQLite and PostgreSQL. Bounded so it
stays well under 30 s a backend. (Pages: test_route_fuzz.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.core.testing import example_charger
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import UserRole
from chargebook.settings import Settings

from .fake_control import FakeControl
from .helpers import Actor, add_sessions, add_user, client_for, context_of, make_app, sign_in

EXAMPLES_PER_OPERATION = 15


def _token(app: FastAPI) -> str:
    context = context_of(app)
    user = add_user(app, "fuzz@example.com", UserRole.OWNER)
    with context.database.transaction() as session:
        charger = ChargerRepository(session, context.clock).upsert(
            example_charger("80000"), owner_user_id=user.id
        )
    add_sessions(context.database, context.clock, charger.id, count=5, prefix="fuzz-")  # type: ignore[arg-type]
    actor = Actor("fuzz", user, client_for(app))
    sign_in(app, actor)
    return actor.token


@pytest.fixture
async def backend_app(
    web_settings: Settings, database: Database, clock: FixedClock
) -> AsyncIterator[FastAPI]:
    app = make_app(web_settings, database, clock)
    async with app.router.lifespan_context(app):
        yield app


def test_api_has_no_server_errors(backend_app: FastAPI) -> None:
    app = backend_app
    # Commands are recorded, not sent: the Wallbox path has its own tests on the simulator.
    context_of(app).controls.register(ChargerSource.WALLBOX_CLOUD, FakeControl().factory)
    headers = {"Authorization": f"Bearer {_token(app)}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7  # every /api/v1 route is documented

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
