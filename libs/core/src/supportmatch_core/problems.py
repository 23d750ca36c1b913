"""RFC 9457 problem details: every error, including bad input, answers as application/problem+json,
its detail in the caller's language (Accept-Language) with the other language beside it."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from supportmatch_core.problem_words import preferred_language, validation_message_zh

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"


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


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    detail_zh: str | None = None,
    **extensions: Any,
) -> JSONResponse:
    """The problem in the caller's language: `detail` in it, the other language beside it."""
    zh = detail_zh or _TITLES_ZH.get(status, "请求未能完成")
    chinese = preferred_language(request.headers.get("accept-language")) == "zh"
    body = {
        "type": f"https://supportmatch.dev/problems/{status}",
        "title": _TITLES_ZH.get(status, title) if chinese else title,
        "status": status,
        "detail": zh if chinese else detail,
        "instance": request.url.path,
        **({"detail_en": detail} if chinese else {"detail_zh": zh}),
        **extensions,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
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
        return problem_response(
            request,
            error.status,
            error.title,
            error.detail,
            detail_zh=error.detail_zh,
            **error.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _field(e["loc"]),
                "message": e["msg"],
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

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(
            request, 500, "Internal error", "the server failed; it is logged",
            detail_zh="服务器处理失败，已记录错误",
        )  # fmt: skip
