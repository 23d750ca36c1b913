"""Fixtures of the integration tests: the real peers of the notifications service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.notifying import Mailbox, Receiver


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
