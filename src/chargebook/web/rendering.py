"""Rendering pages: Jinja2 templates with the user, the CSRF token and the nav filled in.

    return render(request, "home.html", {"chargers": chargers})

Every template extends `base.html`; a form includes `{{ csrf_field() }}`. `render` gives an
anonymous browser its pre-session cookie, so the sign-in form has a CSRF token too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from chargebook import __version__
from chargebook.domain.users import User, UserRole
from chargebook.web.cookies import PRESESSION_COOKIE, csrf_seed, set_presession_cookie
from chargebook.web.deps import CSRF_FIELD, get_context
from chargebook.web.filters import install_filters
from chargebook.web.security import csrf_token_for, new_session_id

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
install_filters(templates.env)

# (label, path, who sees it); the pages helper adds entries here as pages land.
NAV: list[tuple[str, str, frozenset[UserRole]]] = [
    ("Chargers", "/", frozenset(UserRole)),
    ("Sessions", "/sessions", frozenset(UserRole)),
    ("Credits", "/credits", frozenset(UserRole)),
    ("Savings", "/savings", frozenset(UserRole)),
    ("Learn", "/learn", frozenset(UserRole)),
    ("Operator", "/operator", frozenset({UserRole.OPERATOR})),
]


def nav_for(user: User | None) -> list[tuple[str, str]]:
    """The nav entries a user may see (none before sign-in)."""
    if user is None:
        return []
    return [(label, path) for label, path, roles in NAV if user.role in roles]


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render `template` with the page context plus `user`, `nav`, `csrf_token`, `csrf_field`."""
    app_context = get_context(request)
    seed = csrf_seed(request)
    new_seed: str | None = None
    if seed is None:
        new_seed = seed = new_session_id()
    token = csrf_token_for(app_context.box, seed)
    user: User | None = getattr(request.state, "user", None)
    values: dict[str, Any] = {
        "user": user,
        "nav": nav_for(user),
        "current_path": request.url.path,
        "csrf_token": token,
        "csrf_field": lambda: Markup(  # noqa: S704 (the token is hex, no markup in it)
            f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">'
        ),
        "version": __version__,
        # Set by a demo's composition root (`chargebook.demo.web`): its pages say so.
        "demo_note": getattr(request.app.state, "demo_note", None),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    if new_seed is not None and PRESESSION_COOKIE not in request.cookies:
        set_presession_cookie(response, request, app_context.settings, new_seed)
    # Pages show personal data: never cache them in shared caches.
    response.headers["Cache-Control"] = "no-store"
    return response
