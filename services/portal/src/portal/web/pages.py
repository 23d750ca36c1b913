"""Rendering pages: the Jinja environment, and what every page knows (reader, language, token)."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape

from portal.domain.accounts import Account, Language
from portal.domain.facts import FIELDS
from portal.web import wording
from portal.web.messages import translate


@dataclass(frozen=True, slots=True)
class Visitor:
    """Whoever asked for the page: signed in or not, their language and their form token."""

    account: Account | None
    language: Language
    csrf_token: str
    # The header's unread count, asked of notifications while the page's own data is fetched.
    unread_soon: Future[int | None] | None = None

    @property
    def unread(self) -> int | None:
        return None if self.unread_soon is None else self.unread_soon.result()

    def t(self, key: str, **values: Any) -> str:
        return translate(key, self.language, **values)


@cache
def environment() -> Environment:
    folder = str(resources.files("portal") / "templates")
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"]),
        undefined=ChainableUndefined,  # an absent optional field renders empty, not a 500
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        reason=wording.reason,
        condition=wording.condition,
        value=wording.value,
        source_title=wording.source_title,
        citation=wording.citation,
        text_in=wording.text_in,
        fields=FIELDS,
        change_label=wording.change_label,
        compact=wording.compact,
        counted=wording.counted,
        tallied=wording.tallied,
    )
    env.filters["china_time"] = wording.china_time
    for name in env.list_templates():
        env.get_template(name)
    return env


def render(
    request: Request, visitor: Visitor, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    return HTMLResponse(page_text(request, visitor, template, **context), status_code=status)


def page_text(request: Request, visitor: Visitor, template: str, **context: Any) -> str:
    """The page as text, for a response or for printing to PDF."""
    return (
        environment()
        .get_template(template)
        .render(
            request=request,
            visitor=visitor,
            t=visitor.t,
            lang=visitor.language,
            poll_ms=int(request.app.state.settings.poll_seconds * 1000),
            **context,
        )
    )
