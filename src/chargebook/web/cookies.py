"""The browser cookies: the session id and, before sign-in, a pre-session id for CSRF.

Both are HttpOnly and SameSite=Lax; Secure when the settings say so or, by default, when the
request came over https (behind a proxy, run uvicorn with --proxy-headers).
"""

from __future__ import annotations

from fastapi import Request, Response

from chargebook.settings import Settings

SESSION_COOKIE = "cb_session"
PRESESSION_COOKIE = "cb_presession"
PRESESSION_MAX_AGE_S = 24 * 3600


def _secure(request: Request, settings: Settings) -> bool:
    if settings.web_cookie_secure is not None:
        return settings.web_cookie_secure
    return request.url.scheme == "https"


def set_session_cookie(
    response: Response, request: Request, settings: Settings, session_id: str
) -> None:
    """Hand the browser its session id (and drop the pre-session cookie)."""
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=settings.web_session_days * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
        path="/",
    )
    response.delete_cookie(PRESESSION_COOKIE, path="/")


def clear_session_cookie(response: Response) -> None:
    """Make the browser forget its session id."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def set_presession_cookie(
    response: Response, request: Request, settings: Settings, value: str
) -> None:
    """The anonymous browser's CSRF seed, for the sign-in and sign-up forms."""
    response.set_cookie(
        PRESESSION_COOKIE,
        value,
        max_age=PRESESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
        path="/",
    )


def csrf_seed(request: Request) -> str | None:
    """What the browser's CSRF token is derived from: its session id, else its pre-session."""
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRESESSION_COOKIE)
