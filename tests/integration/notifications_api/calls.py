"""The notifications app on a test database, the callers' tokens, and the calls and checks
every test of this folder makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient

from notifications.app import build_app
from notifications.settings import NotificationsSettings
from supportmatch_core.auth import Role, TokenService
from tests.conftest import TEST_SECRET, bearer
from tests.factories import new_uscc
from tests.integration.notifying import Mailbox, Notifications
from tests.unit._snapshots import COMPLIANT, decide_for, determination

Headers = dict[str, str]
Route = tuple[str, str, dict[str, str] | None, int]


def _never_500(response: httpx.Response) -> None:
    assert response.status_code != 500, f"{response.request.method} {response.request.url}"


def client_for(parts: Notifications, mailbox: Mailbox, *, allowed: str) -> TestClient:
    """The app on the database of `parts`, webhooks allowed into the networks `allowed`."""
    settings = NotificationsSettings(
        database_url=parts.engine.url.render_as_string(hide_password=False),
        jwt_secret=TEST_SECRET,
        run_workers=False,
        webhook_allowed_networks=allowed,
        smtp_port=mailbox.port,
    )
    client = TestClient(build_app(settings, clock=parts.clock), raise_server_exceptions=False)
    client.event_hooks["response"].append(_never_500)
    return client


@dataclass
class Callers:
    tokens: TokenService

    def firm(self, uscc: str) -> Headers:
        return bearer(self.tokens, Role.ENTERPRISE, uscc=uscc)

    def caseworker(self, *regions: str, subject: str = "test-caseworker") -> Headers:
        token = self.tokens.issue(subject=subject, role=Role.CASEWORKER, regions=list(regions))
        return {"Authorization": f"Bearer {token}"}

    def admin(self) -> Headers:
        return bearer(self.tokens, Role.ADMIN)


def notice(parts: Notifications, uscc: str | None = None, **kwargs: Any) -> str:
    """File one eligibility notice in a Guangdong (44) firm's inbox; returns the firm's USCC."""
    data = determination(decide_for(**COMPLIANT), uscc=uscc or new_uscc("44"), **kwargs)
    parts.determination(data)
    return str(data["uscc"])


def subscribe(api: TestClient, base: str, headers: Headers, url: str) -> dict[str, Any]:
    created = api.post(f"{base}/webhooks", json={"url": url}, headers=headers)
    assert created.status_code == 201, created.text
    return dict(created.json())


def inbox(api: TestClient, base: str, headers: Headers, **params: Any) -> dict[str, Any]:
    answer = api.get(f"{base}/inbox", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())
