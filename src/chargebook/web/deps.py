"""Request dependencies: the context, the request's database session, who is asking, CSRF.

    @router.get("/chargers")
    def chargers(viewer: PageViewer, db: DbSession) -> HTMLResponse: ...

- `DbSession`: one session per request, committed when the route returns and rolled back
  when it raises (writes on SQLite take the write lock at BEGIN: unsafe methods only).
- Pages: `CurrentUser` / `PageViewer` (signed in, else a redirect to /login), `OptionalUser`,
  `OperatorViewer` (403 for owners). Every page router gets `verify_csrf` (see pages/__init__).
- API: `api_viewer` (bearer token, else 401) and `require_scope(scope)` (403 without it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chargebook.db import SqlSession
from chargebook.domain.access import ApiScope, Viewer
from chargebook.domain.users import User
from chargebook.web.accounts import AccountService
from chargebook.web.context import WebContext
from chargebook.web.cookies import SESSION_COOKIE, csrf_seed
from chargebook.web.errors import CsrfError, ForbiddenError, NotAuthenticatedError
from chargebook.web.security import csrf_token_matches

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def get_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context


Ctx = Annotated[WebContext, Depends(get_context)]


def db_session(request: Request, context: Ctx) -> Iterator[SqlSession]:
    """The request's session; commits after the route returns, rolls back if it raises."""
    if request.method in SAFE_METHODS:
        with context.database.session() as session:
            yield session
    else:
        with context.database.transaction() as session:
            yield session


# scope="function": commit before the response is sent, so a failed commit is an error page.
DbSession = Annotated[SqlSession, Depends(db_session, scope="function")]


def account_service(context: WebContext, session: SqlSession) -> AccountService:
    """The account service on `session`, configured from the context."""
    return AccountService(
        session,
        context.clock,
        context.passwords,
        limits=context.limits,
        session_days=context.settings.web_session_days,
    )


# -- pages (cookie) -----------------------------------------------------------------------


def optional_user(request: Request, context: Ctx) -> User | None:
    """The signed-in user of the session cookie, or None (also kept in request.state.user)."""
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    user: User | None = None
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        with context.database.session() as session:
            user = account_service(context, session).user_for_session(session_id)
    request.state.user = user
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


def current_user(user: OptionalUser) -> User:
    """The signed-in user; anonymous page requests are redirected to the login."""
    if user is None:
        raise NotAuthenticatedError("sign in to continue")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def page_viewer(user: CurrentUser) -> Viewer:
    """The signed-in user as a viewer (a browser session has every scope)."""
    return Viewer(user=user)


PageViewer = Annotated[Viewer, Depends(page_viewer)]


def operator_viewer(viewer: PageViewer) -> Viewer:
    """Only operators pass; owners get 403 (the page exists for everyone, no leak)."""
    if not viewer.is_operator:
        raise ForbiddenError("only an operator may open this page")
    return viewer


OperatorViewer = Annotated[Viewer, Depends(operator_viewer)]


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request without the browser's CSRF token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    context = get_context(request)
    if not csrf_token_matches(context.box, csrf_seed(request), token):
        raise CsrfError("the form expired or came from another site; reload the page and retry")


# -- API (bearer) -------------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="A personal access token (cbk_...)")


def api_viewer(
    context: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Viewer:
    """The viewer of the bearer token; 401 without a valid, unrevoked token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticatedError("send a personal access token: Authorization: Bearer cbk_...")
    with context.database.session() as session:
        viewer = account_service(context, session).viewer_for_token(credentials.credentials)
    if viewer is None:
        raise NotAuthenticatedError("the access token is unknown or revoked")
    return viewer


def require_scope(scope: ApiScope) -> Callable[[Viewer], Viewer]:
    """A dependency that passes the token's viewer on only if the token has `scope`."""

    def dependency(viewer: Annotated[Viewer, Depends(api_viewer)]) -> Viewer:
        if scope not in viewer.scopes:
            raise ForbiddenError(f"the access token lacks the scope {scope.value}")
        return viewer

    dependency.__name__ = f"require_{scope.name.lower()}"
    return dependency
