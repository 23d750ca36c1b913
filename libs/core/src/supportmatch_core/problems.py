"""RFC 9457 problem details: every error, including bad input, answers as application/problem+json."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from supportmatch_core.db import database_unavailable

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
# How long a caller should wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 5


class Problem(Exception):
    """An error the caller can act on; carries its HTTP status and a human sentence."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class Unauthorized(Problem):
    status, title = 401, "Unauthorized"


class Forbidden(Problem):
    status, title = 403, "Forbidden"


class NotFound(Problem):
    status, title = 404, "Not found"


class UnknownEnterprise(NotFound):
    """No such enterprise, or one the caller may not see: one answer for both, so that nobody can
    learn which USCCs exist by asking for firms that are not theirs."""

    def __init__(self, uscc: str) -> None:
        super().__init__(f"没有您可查看的企业 {uscc}。No enterprise {uscc} that you may see.")


class Conflict(Problem):
    status, title = 409, "Conflict"


class ServiceUnavailable(Problem):
    """Something the answer needs is away for a moment; the caller should try again."""

    status, title = 503, "Service unavailable"


class Invalid(Problem):
    """Input that is well-formed but breaks a domain rule; `field` names what to fix."""

    status, title = 422, "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}])


def problem_body(
    status: int, title: str, detail: str, instance: str, **extensions: Any
) -> dict[str, Any]:
    return {
        "type": f"https://supportmatch.dev/problems/{status}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extensions,
    }


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = problem_body(status, title, detail, request.url.path, **extensions)
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] or parts
    return ".".join(parts)


def install_problem_handlers(app: FastAPI) -> None:
    """Map validation, HTTP, domain and unexpected errors to problem details."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if error.status == 503 else None
        return problem_response(
            request, error.status, error.title, error.detail, headers, **error.extensions
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _field(e["loc"]),
                "message": e["msg"].removeprefix("Value error, "),
                "type": e["type"],
            }
            for e in error.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(request, 422, "Invalid input", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem_response(request, error.status_code, str(error.detail), str(error.detail))

    @app.exception_handler(SQLAlchemyError)
    async def _database(request: Request, error: SQLAlchemyError) -> JSONResponse:
        if not database_unavailable(error):
            return await _unexpected(request, error)
        log.warning(
            "database unavailable", extra={"path": request.url.path, "error": repr(error.args)}
        )
        return problem_response(
            request,
            503,
            "Service unavailable",
            "数据库暂时不可用，请稍后重试 (the database is unavailable; try again shortly)",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(request, 500, "Internal error", "the server failed; it is logged")
