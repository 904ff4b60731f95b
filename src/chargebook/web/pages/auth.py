"""Sign-in, sign-up and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.errors import ConflictError
from chargebook.web.context import WebContext
from chargebook.web.cookies import SESSION_COOKIE, clear_session_cookie, set_session_cookie
from chargebook.web.deps import Ctx, DbSession, OptionalUser, account_service
from chargebook.web.errors import (
    InvalidCredentialsError,
    InvalidInputError,
    LoginRateLimitedError,
    status_for,
)
from chargebook.web.rendering import render

router = APIRouter()


def signup_open(context: WebContext) -> bool:
    """Whether anyone may make an account here (`CHARGEBOOK_SIGNUP`)."""
    return context.settings.signup == "open"


def safe_next(target: str | None) -> str:
    """Only same-site paths: "/x" yes, "//evil.example" and "https://..." no."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, context: Ctx, user: OptionalUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    values = {"next": safe_next(next), "signup_open": signup_open(context)}
    return render(request, "login.html", values)


@router.post("/login")
def login(
    request: Request,
    context: Ctx,
    db: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    service = account_service(context, db)
    client_ip = request.client.host if request.client else None
    try:
        user = service.authenticate(email=email, password=password, client_ip=client_ip)
    except (InvalidCredentialsError, LoginRateLimitedError) as error:
        status = 429 if isinstance(error, LoginRateLimitedError) else 401
        page = render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "email": email,
                "error": error.message,
                "signup_open": signup_open(context),
            },
            status_code=status,
        )
        if isinstance(error, LoginRateLimitedError):
            page.headers["Retry-After"] = str(error.retry_after_s)
        return page
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, request, context.settings, service.start_session(user))
    return response


@router.get("/signup")
def signup_page(request: Request, context: Ctx, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "signup.html", {"open": signup_open(context)})


@router.post("/signup")
def signup(
    request: Request,
    context: Ctx,
    db: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    if not signup_open(context):
        return render(request, "signup.html", {"open": False}, status_code=403)
    service = account_service(context, db)
    client_ip = request.client.host if request.client else None
    try:
        user = service.sign_up_from_web(email=email, password=password, client_ip=client_ip)
    except (InvalidInputError, ConflictError, LoginRateLimitedError) as error:
        # "Taken" is said openly: sign-up cannot hide which addresses exist anyway.
        values = {"open": True, "email": email, "error": error.message}
        page = render(request, "signup.html", values, status_code=status_for(error))
        if isinstance(error, LoginRateLimitedError):
            page.headers["Retry-After"] = str(error.retry_after_s)
        return page
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, request, context.settings, service.start_session(user))
    return response


@router.post("/logout")
def logout(request: Request, context: Ctx, db: DbSession) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        account_service(context, db).end_session(session_id)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response
