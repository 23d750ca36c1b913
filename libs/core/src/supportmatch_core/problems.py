"""RFC 9457 problem details: every error, including bad input, answers as application/problem+json,
its detail in the caller's language (Accept-Language) with the other language beside it."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from supportmatch_core.db import database_unavailable
from supportmatch_core.errors import (
    ConflictError,
    DomainError,
    NotAllowed,
    NotFoundError,
    RuleBroken,
    UnknownEnterprise,
)
from supportmatch_core.problem_words import preferred_language, validation_message_zh

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
# How long a caller should wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 5


class Problem(Exception):
    """An error the caller can act on; carries its HTTP status and a sentence in each language."""

    status = 400
    title = "Bad request"
    title_zh = "请求有误"

    def __init__(self, detail: str, *, zh: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_zh = zh or self.title_zh
        self.extensions = extensions


class Unauthorized(Problem):
    status, title, title_zh = 401, "Unauthorized", "未通过身份认证"


class Forbidden(Problem):
    status, title, title_zh = 403, "Forbidden", "无权访问"


class NotFound(Problem):
    status, title, title_zh = 404, "Not found", "未找到"


class Conflict(Problem):
    status, title, title_zh = 409, "Conflict", "与当前状态冲突"


class ServiceUnavailable(Problem):
    """Something the answer needs is away for a moment; the caller should try again."""

    status, title, title_zh = 503, "Service unavailable", "服务暂时不可用"


class Invalid(Problem):
    """Input that is well-formed but breaks a domain rule; `field` names what to fix."""

    status, title, title_zh = 422, "Invalid input", "输入无效"

    def __init__(self, field: str, message: str, *, zh: str | None = None) -> None:
        said = zh or "取值无效"
        super().__init__(
            f"{field}: {message}",
            zh=f"{field}：{said}",
            errors=[{"field": field, "message": message, "message_zh": said}],
        )


__all__ = ["UnknownEnterprise", "problem_of"]  # the domain's 404 for a firm, answered here


def problem_of(error: DomainError) -> Problem:
    """The problem a domain error answers as: the one place where refusals meet HTTP."""
    if isinstance(error, RuleBroken):
        return Invalid(error.field, error.reason, zh=error.zh)
    if isinstance(error, ConflictError):
        extensions = {}
        if error.field is not None:
            said = error.message.removeprefix(f"{error.field}: ")
            found = {"field": error.field, "message": said}
            if error.zh:
                found["message_zh"] = error.zh
            extensions["errors"] = [found]
        return Conflict(error.message, zh=error.zh, **extensions)
    kind = {NotFoundError: NotFound, NotAllowed: Forbidden}
    for domain, problem in kind.items():
        if isinstance(error, domain):
            return problem(error.message, zh=error.zh)
    return Problem(error.message, zh=error.zh)


_TITLES_ZH = {
    400: "请求有误",
    401: "未通过身份认证",
    403: "无权访问",
    404: "未找到",
    405: "不支持该请求方法",
    409: "与当前状态冲突",
    413: "请求内容过大",
    415: "不支持的内容类型",
    422: "输入无效",
    429: "请求过于频繁",
    500: "服务器内部错误",
}


def problem_body(
    status: int,
    title: str,
    detail: str,
    instance: str,
    *,
    detail_zh: str | None = None,
    chinese: bool = False,
    **extensions: Any,
) -> dict[str, Any]:
    """The problem's fields: `detail` in the caller's language, the other language beside it."""
    zh = detail_zh or _TITLES_ZH.get(status, "请求未能完成")
    return {
        "type": f"https://supportmatch.dev/problems/{status}",
        "title": _TITLES_ZH.get(status, title) if chinese else title,
        "status": status,
        "detail": zh if chinese else detail,
        "instance": instance,
        **({"detail_en": detail} if chinese else {"detail_zh": zh}),
        **extensions,
    }


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    detail_zh: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """The problem in the caller's language (Accept-Language)."""
    chinese = preferred_language(request.headers.get("accept-language")) == "zh"
    body = problem_body(
        status, title, detail, request.url.path, detail_zh=detail_zh, chinese=chinese, **extensions
    )
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(
        body,
        status_code=status,
        media_type=MEDIA_TYPE,
        headers={
            **(headers or {}),
            "Content-Language": "zh" if chinese else "en",
            "Vary": "Accept-Language",
        },
    )


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
            request,
            error.status,
            error.title,
            error.detail,
            detail_zh=error.detail_zh,
            headers=headers,
            **error.extensions,
        )

    @app.exception_handler(DomainError)
    async def _refused(request: Request, error: DomainError) -> JSONResponse:
        return await _problem(request, problem_of(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _field(e["loc"]),
                "message": e["msg"].removeprefix("Value error, "),
                "message_zh": validation_message_zh(e),
                "type": e["type"],
            }
            for e in error.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        detail_zh = "；".join(f"{e['field']}：{e['message_zh']}" for e in errors)
        return problem_response(
            request, 422, "Invalid input", detail, detail_zh=detail_zh, errors=errors
        )

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
            "the database is unavailable; try again shortly",
            detail_zh="数据库暂时不可用，请稍后重试",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(
            request, 500, "Internal error", "the server failed; it is logged",
            detail_zh="服务器处理失败，已记录错误",
        )  # fmt: skip
