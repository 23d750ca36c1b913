"""Sign-in with a password or through OpenID Connect, sign-out, and the language switch."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.adapters.oidc import OidcFailed, OidcProvider
from portal.domain.csrf import new_browser_secret
from portal.use_cases import oidc_sign_in, signing_in
from portal.web.cookies import clear_cookie, set_cookie
from portal.web.deps import (
    BROWSER_COOKIE,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    Csrf,
    FormDep,
    NowDep,
    PasswordsDep,
    UowDep,
    VisitorDep,
    as_language,
    client_address,
    safe_next,
)
from portal.web.pages import render

router = APIRouter(tags=["sign-in"])
OIDC_STATE_COOKIE = "sm_oidc_state"
NextQuery = Annotated[str | None, Query(max_length=500)]


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, visitor: VisitorDep, next: NextQuery = None) -> Response:
    if visitor.account is not None:
        return RedirectResponse(safe_next(next, visitor.account.home), status_code=303)
    return render(request, visitor, "sign_in.html", next=safe_next(next, ""), error=None)


_REFUSED = {"content": {"text/html": {"schema": {"type": "string"}}}}


@router.post(
    "/sign-in",
    response_class=HTMLResponse,
    dependencies=[Csrf],
    responses={
        401: {"description": "Wrong username or password", **_REFUSED},
        429: {"description": "Too many failed attempts; wait", **_REFUSED},
    },
)
def sign_in(
    request: Request,
    visitor: VisitorDep,
    form: FormDep,
    uow: UowDep,
    passwords: PasswordsDep,
    now: NowDep,
) -> Response:
    username = form.get("username", "")[:100]
    target = safe_next(form.get("next"), "")
    try:
        account, token = signing_in.sign_in(
            uow=uow,
            passwords=passwords,
            limits=request.app.state.sign_in_limits,
            username=username,
            password=form.get("password", "")[:1000],
            address=client_address(request),
            now=now,
        )
    except signing_in.WrongCredentials:
        error = visitor.t("sign_in.wrong")
        return render(
            request,
            visitor,
            "sign_in.html",
            status=401,
            next=target,
            error=error,
            username=username,
        )
    except signing_in.TooManyAttempts as refused:
        minutes = max(1, math.ceil(refused.retry_after.total_seconds() / 60))
        error = visitor.t("sign_in.throttled", minutes=minutes)
        page = render(
            request,
            visitor,
            "sign_in.html",
            status=429,
            next=target,
            error=error,
            username=username,
        )
        page.headers["Retry-After"] = str(math.ceil(refused.retry_after.total_seconds()))
        return page
    return _signed_in(request, token, target or account.home)


def _signed_in(request: Request, token: str, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    # A new browser secret: tokens of forms shown before sign-in stop working.
    set_cookie(request, response, BROWSER_COOKIE, new_browser_secret())
    return response


@router.post("/sign-out", dependencies=[Csrf])
def sign_out(request: Request, uow: UowDep) -> Response:
    signing_in.sign_out(uow=uow, token=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    set_cookie(request, response, BROWSER_COOKIE, new_browser_secret())
    return response


@router.post("/language", dependencies=[Csrf])
def switch_language(request: Request, visitor: VisitorDep, form: FormDep, uow: UowDep) -> Response:
    language = as_language(form.get("language"))
    signing_in.choose_language(uow=uow, account=visitor.account, language=language)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    set_cookie(request, response, LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600)
    return response


def _provider(request: Request) -> OidcProvider | None:
    provider: OidcProvider | None = request.app.state.oidc
    return provider


@router.get("/sign-in/oidc")
def oidc_start(request: Request, visitor: VisitorDep, uow: UowDep, now: NowDep) -> Response:
    provider = _provider(request)
    if provider is None:
        return render(request, visitor, "error.html", status=404, message_key="error.404")
    try:
        url, state = oidc_sign_in.begin(uow=uow, provider=provider, now=now)
    except OidcFailed:
        return _oidc_refused(request, visitor, "sign_in.oidc_failed")
    response = RedirectResponse(url, status_code=303)
    set_cookie(request, response, OIDC_STATE_COOKIE, state, max_age=600)
    return response


@router.get("/sign-in/oidc/callback")
def oidc_callback(
    request: Request,
    visitor: VisitorDep,
    uow: UowDep,
    now: NowDep,
    state: Annotated[str, Query(max_length=100)] = "",
    code: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    provider = _provider(request)
    if provider is None:
        return render(request, visitor, "error.html", status=404, message_key="error.404")
    # The state must come back to the browser that started the sign-in (no login CSRF).
    if not state or not code or request.cookies.get(OIDC_STATE_COOKIE) != state:
        return _oidc_refused(request, visitor, "sign_in.oidc_failed")
    try:
        account = oidc_sign_in.complete(uow=uow, provider=provider, state=state, code=code, now=now)
    except OidcFailed:
        return _oidc_refused(request, visitor, "sign_in.oidc_failed")
    except oidc_sign_in.NoAccount:
        return _oidc_refused(request, visitor, "sign_in.no_account")
    response = _signed_in(
        request, signing_in.open_session(uow=uow, account=account, now=now), account.home
    )
    clear_cookie(request, response, OIDC_STATE_COOKIE)
    return response


def _oidc_refused(request: Request, visitor: VisitorDep, key: str) -> Response:
    return render(request, visitor, "sign_in.html", status=403, next="", error=visitor.t(key))
