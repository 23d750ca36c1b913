"""Errors as pages in the reader's language: refusals, missing pages, expired forms, services down."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from casework.use_cases.cases import NoCase
from portal.adapters.pdf import PdfUnavailable
from portal.adapters.services import ServiceRefused, ServiceUnavailable
from portal.domain.accounts import Language
from portal.domain.csrf import form_token
from portal.use_cases.firm import NotYourFirm
from portal.web.deps import CsrfRefused, SignInRequired, language_of
from portal.web.messages import translate
from portal.web.pages import Visitor, render

log = logging.getLogger(__name__)


def _visitor(request: Request) -> Visitor:
    known = getattr(request.state, "visitor", None)
    if known is not None:
        return known  # type: ignore[no-any-return]
    secret = getattr(request.state, "browser_secret", "")
    return Visitor(None, language_of(request, None), form_token(request.app.state.csrf_key, secret))


def error_page(
    request: Request, status: int, message_key: str, *, both_languages: bool = False
) -> HTMLResponse:
    """The error page; `both_languages`: the sentence also in the other language, for a reader
    who may have to pass it on to the administrators."""
    visitor = _visitor(request)
    other: Language = "zh" if visitor.language == "en" else "en"
    also = translate(message_key, other) if both_languages else None
    return render(
        request,
        visitor,
        "error.html",
        status=status,
        message_key=message_key,
        also=also,
        also_lang="zh-CN" if other == "zh" else "en",
    )


def install_error_pages(app: FastAPI) -> None:
    """Pages instead of the services' JSON problems, for everything but the operations routes."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, _: CsrfRefused) -> HTMLResponse:
        return error_page(request, 403, "error.csrf")

    @app.exception_handler(NotYourFirm)
    async def _not_yours(request: Request, _: NotYourFirm) -> HTMLResponse:
        return error_page(request, 403, "error.403")

    @app.exception_handler(NoCase)
    async def _no_case(request: Request, _: NoCase) -> HTMLResponse:
        return error_page(request, 404, "error.404")

    @app.exception_handler(ServiceRefused)
    async def _refused(request: Request, error: ServiceRefused) -> HTMLResponse:
        if error.status == 401:
            return error_page(request, 403, "error.403")
        status = error.status if error.status in (403, 404) else 422
        return error_page(request, status, f"error.{status}")

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(request: Request, error: ServiceUnavailable) -> HTMLResponse:
        log.warning("a service is unavailable", extra={"error": str(error)})
        return error_page(request, 502, "error.502")

    @app.exception_handler(PdfUnavailable)
    async def _no_pdf(request: Request, error: PdfUnavailable) -> HTMLResponse:
        log.error("PDF files cannot be made on this machine", extra={"error": str(error)})
        return error_page(request, 503, "error.pdf_unavailable", both_languages=True)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> HTMLResponse:
        known = {403: "error.403", 404: "error.404"}
        return error_page(request, error.status_code, known.get(error.status_code, "error.422"))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, _: RequestValidationError) -> HTMLResponse:
        return error_page(request, 422, "error.422")


_PAGE = {"text/html": {"schema": {"type": "string"}}}
_PAGE_ANSWERS = {
    "303": "See Other: sign in first, or the page that follows a form",
    "403": "A page that is not the visitor's, or a form without this browser's token",
    "404": "No such page or firm",
    "422": "Input that breaks a rule",
    "502": "A service behind the page is unavailable",
}


def document_pages(app: FastAPI) -> None:
    """Make the OpenAPI document say what the pages answer: HTML, redirects and error pages
    (the portal's own, not the services' JSON problems); the operations routes keep theirs."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for operations in document["paths"].values():
                for operation in operations.values():
                    if "operations" not in operation.get("tags", []):
                        _page_answers(operation["responses"])
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _page_answers(responses: dict[str, Any]) -> None:
    # A download says what it sends (its route's `responses`); every other page is HTML.
    if set(responses.get("200", {}).get("content", {})) <= {"application/json", "text/html"}:
        responses["200"] = {"description": "The page", "content": _PAGE}
    for status, description in _PAGE_ANSWERS.items():
        responses[status] = {"description": description, "content": _PAGE}
    responses["303"].pop("content")
    responses["303"]["headers"] = {"Location": {"schema": {"type": "string"}}}
