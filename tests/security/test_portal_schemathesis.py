"""schemathesis against the portal's OpenAPI document, its pages served in-process and the three
services behind it on 127.0.0.1: every operation, as a visitor and signed in as each role (session
cookie and CSRF token of a real sign-in), answers no 5xx and only what the document says."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.python import asgi
from schemathesis.specs.openapi.schemas import OpenApiSchema

from portal.app import build_app as portal_app
from portal.settings import PortalSettings
from portal.use_cases.accounts import create_account
from supportmatch_core.auth import Role
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.migrate import upgrade_to_head
from tests.conftest import TEST_SECRET, Databases
from tests.passwords import cheap_passwords
from tests.security.apps import SERVICES, Callers, service_app
from tests.security.fuzzing import AnyCase, fuzz, report
from tests.security.seeds import seed
from tests.security.served import Served

PASSWORD = "portal-password-for-fuzzing"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# A visitor who is not signed in is sent to sign in (303) before the input is looked at. A
# portal's first PDF report loads WeasyPrint and the Chinese font: seconds of a core, many more
# while the suite shares two cores, so a request may take longer than schemathesis's 10 s.
_CONFIG = schemathesis.Config.from_dict(
    {
        "request-timeout": 60,
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [303, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429]
            }
        },
    }
)


@dataclass(frozen=True)
class Browser:
    """What a signed-in browser sends: its cookies and the CSRF token of its forms."""

    cookies: dict[str, str]
    csrf_token: str


def _accounts(url: str, callers: Callers) -> None:
    """An account of the firm, of a caseworker of its province and of an admin."""
    accounts: dict[str, dict[str, Any]] = {
        "firm": {"role": Role.ENTERPRISE, "uscc": callers.firm},
        "caseworker": {"role": Role.CASEWORKER, "provinces": ["44"]},
        "admin": {"role": Role.ADMIN},
    }
    upgrade_to_head("portal", url)
    engine = create_database_engine(url)
    for username, fields in accounts.items():
        create_account(
            uow=UnitOfWork(engine), passwords=cheap_passwords(), username=username, password=PASSWORD,
            display_name=username, now=datetime.now(UTC), **fields,
        )  # fmt: skip
    engine.dispose()


def _signed_in(app: Any, username: str) -> Browser:
    with asgi.get_client(app) as browser:
        page = browser.get("/sign-in").text
        form = {"csrf_token": _CSRF.findall(page)[0], "username": username, "password": PASSWORD}
        answer = browser.post("/sign-in", data=form, allow_redirects=False)
        assert answer.status_code == 303, answer.text
        token = _CSRF.findall(browser.get("/").text)[0]  # signing in gave a new browser secret
        cookies = {k: v for k, v in browser.cookies.get_dict().items() if v is not None}
        return Browser(cookies, token)


@pytest.fixture
def portal(databases: Databases) -> Iterator[tuple[OpenApiSchema, str]]:
    callers = Callers()
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        for name in SERVICES:
            database = databases.url(name)
            served = stack.enter_context(Served(service_app(name, database)))
            with httpx.Client(base_url=served.url) as client:
                seed(name, client, callers, database)
            urls[name] = served.url
        settings = PortalSettings(
            database_url=databases.url("portal"),
            jwt_secret=TEST_SECRET,
            cookie_secure=False,
            run_workers=False,
            profiles_url=urls["profiles"],
            eligibility_url=urls["eligibility"],
            notifications_url=urls["notifications"],
        )
        _accounts(settings.database_url, callers)
        app = portal_app(settings)
        try:
            browsers = itertools.cycle(
                [None, *(_signed_in(app, name) for name in ("firm", "caseworker", "admin"))]
            )
            schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=_CONFIG)

            @schema.auth(refresh_interval=None)
            class EachVisitorInTurn:
                """Nobody signed in, then the firm, its caseworker and an admin."""

                def get(self, case: AnyCase, context: Any) -> Browser | None:
                    return next(browsers)

                def set(self, case: AnyCase, browser: Browser | None, context: Any) -> None:
                    if browser is not None:
                        case.cookies.update(browser.cookies)
                        case.headers["X-CSRF-Token"] = browser.csrf_token

            yield schema, callers.firm
        finally:
            asgi.shutdown_lifespans()


def test_every_page_answers_as_documented(portal: tuple[OpenApiSchema, str]) -> None:
    schema, firm = portal
    failures = fuzz(schema, {"uscc": firm}, last="/sign-out")
    assert not failures, report(failures)
