"""The security suite's portal: its own database, a firm and a caseworker account, every service
unreachable, and a clock the test moves (modules with a portal of their own override it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Databases
from tests.security.portal_client import Clock, unreachable_services_portal


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def portal(databases: Databases, clock: Clock) -> Iterator[TestClient]:
    with unreachable_services_portal(databases, clock) as client:
        yield client
