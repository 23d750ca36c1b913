"""Fixtures of the integration tests: the services without a broker, and the real peers of the
notifications service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Databases
from tests.integration.notifying import Mailbox, Notifications, Receiver, notifications_on
from tests.integration.system import InProcessSystem, offline_system


@pytest.fixture
def offline(databases: Databases) -> Iterator[InProcessSystem]:
    """The three services in this process on their own databases, with no broker to reach and
    no workers: their APIs and what they store."""
    with offline_system(databases) as running:
        yield running


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """An SMTP server on loopback (aiosmtpd), started."""
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP server on loopback that records each webhook request."""
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def notification_parts(databases: Databases, mailbox: Mailbox) -> Iterator[Notifications]:
    """The notifications service's parts on a migrated test database (`notifications_on`)."""
    with notifications_on(databases, mailbox) as parts:
        yield parts
