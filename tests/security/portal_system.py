"""The portal in this process with the three services behind it on 127.0.0.1, one firm registered
with profiles (decided by eligibility and projected by notifications, as their consumers would),
and a portal account for each person a test signs in as."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from portal.app import build_app
from portal.settings import PortalSettings
from portal.use_cases.accounts import create_account
from supportmatch_core.auth import Role
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.migrate import upgrade_to_head
from tests.clock import now
from tests.conftest import TEST_SECRET, Databases
from tests.passwords import cheap_passwords
from tests.security.apps import SERVICES, Callers, service_app
from tests.security.seeds import decide_firm, project_firm
from tests.security.served import Served

PASSWORD = "portal-password-of-the-tests"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def staff(provinces: list[str]) -> dict[str, Any]:
    return {"role": Role.CASEWORKER, "provinces": provinces}


def enterprise(uscc: str) -> dict[str, Any]:
    return {"role": Role.ENTERPRISE, "uscc": uscc}


ADMIN: dict[str, Any] = {"role": Role.ADMIN}


@dataclass(frozen=True)
class PortalSystem:
    app: FastAPI

    def browser(self, username: str | None = None, password: str = PASSWORD) -> TestClient:
        """A browser with cookies of its own, signed in as `username` unless it is None."""
        browser = TestClient(self.app, raise_server_exceptions=False)
        if username is not None:
            form = {"csrf_token": form_token(browser), "username": username, "password": password}
            signed_in = browser.post("/sign-in", data=form, follow_redirects=False)
            assert signed_in.status_code == 303, signed_in.text
        return browser


def form_token(browser: TestClient, path: str = "/sign-in") -> str:
    found = _CSRF.search(browser.get(path).text)
    assert found
    return found.group(1)


@contextmanager
def portal_system(
    databases: Databases,
    *,
    firm: dict[str, Any],
    accounts: dict[str, dict[str, Any]],
    demo_accounts: bool = False,
) -> Iterator[PortalSystem]:
    """`firm`: the POST /v1/enterprises body; `accounts`: user name -> role and binding (each
    with PASSWORD); `demo_accounts`: the accounts `make run` seeds, as well."""
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        for name in SERVICES:
            database = databases.url(name)  # on PostgreSQL, each call a new database
            urls[name] = stack.enter_context(Served(service_app(name, database))).url
            if name == "eligibility":
                decide_firm(firm, database)
            if name == "notifications":
                project_firm(firm, database)
        registered = httpx.post(
            f"{urls['profiles']}/v1/enterprises", json=firm, headers=Callers().headers("admin")
        )
        assert registered.status_code == 201, registered.text
        settings = PortalSettings(
            database_url=databases.url("portal"),
            jwt_secret=TEST_SECRET,
            cookie_secure=False,
            run_workers=False,
            demo_accounts=demo_accounts,
            profiles_url=urls["profiles"],
            eligibility_url=urls["eligibility"],
            notifications_url=urls["notifications"],
        )
        _create_accounts(settings.database_url, accounts)
        app = build_app(settings, clock=now)
        stack.enter_context(TestClient(app, raise_server_exceptions=False))  # its lifespan
        yield PortalSystem(app)


def _create_accounts(url: str, accounts: dict[str, dict[str, Any]]) -> None:
    upgrade_to_head("portal", url)
    engine = create_database_engine(url)
    try:
        for username, fields in accounts.items():
            create_account(
                uow=UnitOfWork(engine), passwords=cheap_passwords(), username=username,
                password=PASSWORD, display_name=username, now=datetime.now(UTC), **fields,
            )  # fmt: skip
    finally:
        engine.dispose()
