"""Fixtures of this folder: the notifications parts on a test database, the app, the callers; for
the tests of a module that share them, the same once per module and database kind."""

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


@pytest.fixture(scope="module")
def shared_mailbox() -> Iterator[Mailbox]:
    """`mailbox` for the tests of a module that share `shared_parts`."""
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture(scope="module")
def shared_api(shared_parts: Notifications, shared_mailbox: Mailbox) -> Iterator[TestClient]:
    """`api` on the `shared_parts` of the test's module, which says why its tests may share."""
    with client_for(shared_parts, shared_mailbox, allowed="127.0.0.0/8") as client:
        yield client


@pytest.fixture
def who(tokens: TokenService) -> Callers:
    return Callers(tokens)
