"""Composition root of the portal."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from importlib import resources

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from casework.adapters import tables as casework_tables
from casework.adapters.unit_of_work import CaseUnitOfWork
from portal import worker
from portal.adapters.oidc import OidcProvider
from portal.adapters.services import Services
from portal.domain.csrf import new_browser_secret
from portal.domain.sessions import SessionRules
from portal.domain.throttle import Throttle
from portal.settings import PortalSettings
from portal.use_cases.accounts import seed_demo_accounts
from portal.use_cases.signing_in import SignInLimits
from portal.web import (
    routes_admin,
    routes_auth,
    routes_cases,
    routes_dashboard,
    routes_firm,
    routes_grants,
    routes_notices,
    routes_public,
    routes_queue,
)
from portal.web.cookies import set_cookie
from portal.web.deps import BROWSER_COOKIE, utc_now
from portal.web.errors import document_pages, install_error_pages
from portal.web.pages import environment
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.web import Runtime, create_app
from supportmatch_core.wiring import outbox_relay

# Pages may load only the portal's own files; /docs (Swagger UI) needs its inline start-up script.
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def build_app(
    settings: PortalSettings | None = None, *, clock: Callable[[], datetime] = utc_now
) -> FastAPI:
    """The portal; tests pass a clock of their own."""
    settings = settings or PortalSettings()
    passwords = settings.passwords()
    window = timedelta(minutes=settings.sign_in_window_minutes)
    limits = SignInLimits(
        per_account=Throttle(settings.sign_in_failures_per_account, window),
        per_address=Throttle(settings.sign_in_failures_per_address, window),
    )
    rules = SessionRules(
        lifetime=timedelta(hours=settings.session_hours),
        idle=timedelta(minutes=settings.session_idle_minutes),
    )

    def runtime() -> Runtime:
        engine = create_database_engine(
            settings.database_url, pool_size=settings.database_pool_size
        )
        uow = UnitOfWork(engine)
        environment()  # every template compiled at start: a broken one stops the start, not a page
        services = Services(settings, app.state.tokens)
        oidc = OidcProvider(settings) if settings.oidc_enabled else None
        app.state.services, app.state.oidc = services, oidc
        app.state.cases = CaseUnitOfWork(engine)
        workers: list[worker.Worker] = [
            outbox_relay(settings, uow, casework_tables.backbone),
            worker.Housekeeping(uow, limits, rules, clock),
            worker.CaseworkerRecipients(uow, services),
            worker.ClientsClosed(services.close),
        ]
        if oidc is not None:
            workers.append(worker.ClientsClosed(oidc.close, name="oidc-client"))
        if settings.demo_accounts:
            seed_demo_accounts(uow=uow, passwords=passwords, now=clock())
            workers.append(worker.DemoFirm(services))
        return Runtime(engine=engine, workers=worker.WorkerGroup(workers))

    app = create_app(
        settings=settings,
        title="supportmatch portal",
        routers=[
            routes_public.router,
            routes_auth.router,
            routes_firm.router,
            routes_notices.router,
            routes_queue.router,
            routes_cases.router,
            routes_dashboard.router,
            routes_grants.router,
            routes_admin.router,
        ],
        build_runtime=runtime,
    )
    app.state.clock = clock
    app.state.passwords = passwords
    app.state.sign_in_limits = limits
    app.state.session_rules = rules
    app.state.csrf_key = hmac.new(
        settings.jwt_secret.encode(), b"portal csrf tokens", hashlib.sha256
    ).digest()
    app.mount("/static", StaticFiles(directory=str(resources.files("portal") / "static")), "static")
    install_error_pages(app)
    document_pages(app)
    app.middleware("http")(_browser)
    return app


async def _browser(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Give each browser its secret for CSRF tokens on first contact; set the security headers."""
    secret = request.cookies.get(BROWSER_COOKIE)
    request.state.browser_secret = secret or new_browser_secret()
    response = await call_next(request)
    if not secret:
        set_cookie(request, response, BROWSER_COOKIE, request.state.browser_secret)
    if not request.url.path.startswith(("/docs", "/openapi")):
        response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
