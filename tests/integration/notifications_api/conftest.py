"""Fixtures of this folder: the notifications parts on a test database, the app, the callers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from supportmatch_core.auth import TokenService
from tests.integration.notifications_api.calls import Callers, client_for
from tests.integration.notifying import Mailbox, Notifications


@pytest.fixture
def parts(notification_parts: Notifications) -> Notifications:
    return notification_parts


@pytest.fixture
def api(parts: Notifications, mailbox: Mailbox) -> Iterator[TestClient]:
    with client_for(parts, mailbox, allowed="127.0.0.0/8") as client:
        yield client


@pytest.fixture
def who(tokens: TokenService) -> Callers:
    return Callers(tokens)
