"""A cap on the bytes of every request body, counted as they arrive, answered 413 as a problem."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportmatch_core.problem_words import preferred_language
from supportmatch_core.problems import MEDIA_TYPE, problem_body


class _TooLarge(Exception):
    """Raised into the app by `receive` once the body passes the limit; the app may not see it."""


class BodyLimit:
    """Refuses a request whose body exceeds the limit of its path (`limits`, else `default`).

    A declared Content-Length over the limit is refused before any byte is read; otherwise the
    bytes are counted as the app reads them (chunked bodies too), and at the first byte over the
    limit the app's reading fails and whatever it answers is replaced by the 413.
    """

    def __init__(self, app: ASGIApp, *, default: int, limits: Mapping[str, int]) -> None:
        self.app = app
        self.default = default
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, receive, send, limit)
            return
        received, exceeded, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:  # the app's answer to a body it never got whole is dropped
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(scope, receive, send, limit)


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    headers = dict(scope.get("headers") or [])
    body = problem_body(
        413,
        "Content too large",
        f"The request body is larger than the limit of {limit:,} bytes; nothing was done.",
        scope["path"],
        detail_zh=f"请求内容超过 {limit:,} 字节的上限，未予处理。",
        chinese=preferred_language(headers.get(b"accept-language", b"").decode("latin-1")) == "zh",
        limit_bytes=limit,
    )
    # The rest of the body is not read: the connection is closed after this answer.
    response = JSONResponse(body, status_code=413, media_type=MEDIA_TYPE)
    response.headers["Connection"] = "close"
    await response(scope, receive, send)
