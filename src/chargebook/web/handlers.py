"""Exception handlers: every error becomes `{"error": ..., "detail": ...}` under /api, and an
error page (or a redirect to the login, for 401) on pages."""

from __future__ import annotations

import logging
import math
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from chargebook.errors import ApiRateLimitedError, ChargebookError
from chargebook.web.errors import LoginRateLimitedError, NotAuthenticatedError, status_for
from chargebook.web.headers import security_headers
from chargebook.web.rendering import render

_LOGGER = logging.getLogger(__name__)

_HTTP_ERROR_NAMES = {
    400: "BadRequest",
    401: "NotAuthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "ValidationError",
}


def is_api(request: Request) -> bool:
    """API requests get JSON errors; everything else is a page."""
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, error: str, detail: object) -> Response:
    """The error in the shape the caller understands (JSON or a page)."""
    if is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"error": error, "detail": detail}, status, headers=headers)
    message = detail if isinstance(detail, str) else _page_message(detail)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def _page_message(detail: object) -> str:
    """Validation problems in one line for a page: which parameter, and what is wrong."""
    if not isinstance(detail, list) or not detail:
        return "the request is not valid"
    parts = []
    for problem in detail[:3]:
        where = [part for part in problem.get("loc", []) if part not in ("path", "query", "body")]
        parts.append(f"{'.'.join(where) or 'request'}: {problem.get('msg', 'not valid')}")
    return "the request is not valid: " + "; ".join(parts)


async def chargebook_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ChargebookError)
    if isinstance(exc, NotAuthenticatedError) and not is_api(request):
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", status_code=303)
    status = status_for(exc)
    if status >= 500:
        _LOGGER.error("request failed: %s: %s", type(exc).__name__, exc.message)
    response = error_response(request, status, type(exc).__name__, exc.message)
    if isinstance(exc, LoginRateLimitedError):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    if isinstance(exc, ApiRateLimitedError) and exc.retry_after_s is not None:
        response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after_s)))
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]
    return error_response(request, 422, "ValidationError", problems)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    name = _HTTP_ERROR_NAMES.get(exc.status_code, "HTTPError")
    response = error_response(request, exc.status_code, name, str(exc.detail))
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def unexpected_error(request: Request, exc: Exception) -> Response:
    # Logged with the traceback for the operator; the client learns nothing internal.
    _LOGGER.exception("unexpected error on %s %s", request.method, request.url.path)
    response = error_response(request, 500, "InternalError", "something went wrong on our side")
    # Starlette answers this outside the app's middleware: the security headers are added here.
    for name, value in security_headers(request.url.scheme, request.url.path):
        response.headers.setdefault(name, value)
    return response


def install_handlers(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(ChargebookError, chargebook_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
