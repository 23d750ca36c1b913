"""Dependencies of the portal's routes: the visitor, sign-in, CSRF checks, forms, the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

from fastapi import Depends, Request

from casework.adapters.unit_of_work import CaseUnitOfWork
from portal.adapters.passwords import Passwords
from portal.adapters.services import Services
from portal.domain.accounts import Account, Language
from portal.domain.csrf import form_token, token_matches
from portal.use_cases import firm, signing_in
from portal.web.pages import Visitor
from supportmatch_core.db import UnitOfWork

SESSION_COOKIE = "sm_session"
BROWSER_COOKIE = "sm_browser"  # the secret the forms' CSRF tokens are derived from
LANGUAGE_COOKIE = "sm_lang"


class SignInRequired(Exception):
    """The page needs a signed-in person; the handler sends the browser to the sign-in page."""


class CsrfRefused(Exception):
    """A form or htmx request without the token of this browser."""


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def _uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.runtime.engine)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _cases(request: Request) -> CaseUnitOfWork:
    cases: CaseUnitOfWork = request.app.state.cases
    return cases


def _passwords(request: Request) -> Passwords:
    passwords: Passwords = request.app.state.passwords
    return passwords


def language_of(request: Request, account: Account | None) -> Language:
    if account is not None:
        return account.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return "en" if chosen == "en" else "zh"


def visitor(request: Request) -> Visitor:
    """The person asking, their language, and the CSRF token their forms carry."""
    if (known := getattr(request.state, "visitor", None)) is not None:
        return known  # type: ignore[no-any-return]
    account = signing_in.signed_in(
        uow=_uow(request),
        rules=request.app.state.session_rules,
        token=request.cookies.get(SESSION_COOKIE),
        now=_now(request),
    )
    services = _services(request)
    unread = None
    if account is not None and account.uscc:
        unread = services.soon(partial(firm.unread, services, account))
    found = Visitor(
        account=account,
        language=language_of(request, account),
        csrf_token=form_token(request.app.state.csrf_key, request.state.browser_secret),
        unread_soon=unread,
    )
    request.state.visitor = found
    return found


VisitorDep = Annotated[Visitor, Depends(visitor)]


def signed_in(visitor: VisitorDep) -> Account:
    if visitor.account is None:
        raise SignInRequired
    return visitor.account


async def form_fields(request: Request) -> dict[str, str]:
    """The submitted form as text fields (the same form the CSRF check read)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def form_lists(request: Request) -> dict[str, list[str]]:
    """The submitted form's fields that may repeat (check boxes), each as a list."""
    form = await request.form()
    return {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}


async def csrf_checked(request: Request) -> None:
    """Refuse a state-changing request without this browser's token (form field or header)."""
    token = request.headers.get("X-CSRF-Token")
    if token is None:
        token = (await form_fields(request)).get("csrf_token")
    if not token_matches(request.app.state.csrf_key, request.cookies.get(BROWSER_COOKIE), token):
        raise CsrfRefused


def as_language(text: str | None) -> Language:
    return "en" if text == "en" else "zh"


AccountDep = Annotated[Account, Depends(signed_in)]
FormDep = Annotated[dict[str, str], Depends(form_fields)]
FormListsDep = Annotated[dict[str, list[str]], Depends(form_lists)]
NowDep = Annotated[datetime, Depends(_now)]
UowDep = Annotated[UnitOfWork, Depends(_uow)]
ServicesDep = Annotated[Services, Depends(_services)]
CasesDep = Annotated[CaseUnitOfWork, Depends(_cases)]
PasswordsDep = Annotated[Passwords, Depends(_passwords)]
Csrf = Depends(csrf_checked)


def utc_now() -> datetime:
    return datetime.now(UTC)


def safe_next(target: str | None, default: str = "/") -> str:
    """A path on this site to go back to; anything else (another host) becomes `default`."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
