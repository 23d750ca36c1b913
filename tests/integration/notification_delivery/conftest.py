"""Fixtures of this folder: a settable clock and the notifications parts on a test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Databases
from tests.integration.notifying import START, Clock, Mailbox, Notifications


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def system(databases: Databases, mailbox: Mailbox, clock: Clock) -> Iterator[Notifications]:
    parts = Notifications(databases.migrated("notifications"), smtp_port=mailbox.port, clock=clock)
    yield parts
    parts.dispose()
