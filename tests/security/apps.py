"""The services as the security tests attack them: each built in-process on its own migrated
database, workers off, webhooks unable to reach anything, and a token for every kind of caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpcore
from fastapi import FastAPI

from eligibility.app import build_app as eligibility_app
from eligibility.settings import EligibilitySettings
from notifications.adapters.destinations import Unresolvable
from notifications.app import build_app as notifications_app
from notifications.settings import NotificationsSettings
from notifications.worker import webhook_sender
from profiles.app import build_app as profiles_app
from profiles.settings import ProfilesSettings
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.migrate import upgrade_to_head
from tests.clock import today
from tests.conftest import TEST_SECRET
from tests.factories import new_uscc

SERVICES = ("profiles", "eligibility", "notifications")


def no_names(host: str, port: int) -> list[str]:
    """Webhook destinations in tests: no name resolves, so no DNS query leaves the machine."""
    raise Unresolvable(f"无法解析主机名 {host}", f"cannot resolve {host}: names are off here")


def no_connections(host: str, port: int, **_: Any) -> Any:
    """Webhook destinations in tests: no connection opens, refused as httpcore reports it."""
    raise httpcore.ConnectError(f"connections are off here ({host}:{port})")


def service_app(name: str, database_url: str) -> FastAPI:
    """The service `name` on its migrated database, as `make run` builds it, without workers."""
    upgrade_to_head(name, database_url)
    common: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": "127.0.0.1:1",
        "jwt_secret": TEST_SECRET,
        "run_workers": False,
    }
    if name == "profiles":
        return profiles_app(ProfilesSettings(**common))
    if name == "eligibility":
        return eligibility_app(EligibilitySettings(**common), today=today)
    # Empty, as in production: no network is exempt from the webhook address check.
    settings = NotificationsSettings(**common, webhook_allowed_networks="")
    sender = webhook_sender(settings, resolver=no_names, connect=no_connections)
    return notifications_app(settings, webhook_sender=sender)


@dataclass(frozen=True)
class Callers:
    """A valid token for each kind of caller around one firm of 广东 (44)."""

    tokens: TokenService = field(default_factory=lambda: TokenService(TEST_SECRET))
    firm: str = field(default_factory=lambda: new_uscc("44"))
    other_firm: str = field(default_factory=lambda: new_uscc("44"))

    def token(self, who: str) -> str:
        issue: dict[str, Callable[[], str]] = {
            "admin": lambda: self.tokens.issue(subject="admin-1", role=Role.ADMIN),
            "enterprise": lambda: self.tokens.issue(
                subject="firm-user", role=Role.ENTERPRISE, uscc=self.firm
            ),
            "other enterprise": lambda: self.tokens.issue(
                subject="other-firm-user", role=Role.ENTERPRISE, uscc=self.other_firm
            ),
            "caseworker": lambda: self.tokens.issue(
                subject="caseworker-gd", role=Role.CASEWORKER, regions=["44"]
            ),
            "other caseworker": lambda: self.tokens.issue(
                subject="caseworker-zj", role=Role.CASEWORKER, regions=["33"]
            ),
        }
        return issue[who]()

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(who)}"}
