"""A service works on as many requests at once as its settings say, each with a pooled database
connection: more threads than that only contend for the interpreter. Its readiness does not wait
for a long write."""

from __future__ import annotations

import time

from anyio import to_thread
from fastapi.testclient import TestClient

from profiles.app import build_app
from profiles.settings import ProfilesSettings
from supportmatch_core.db import UnitOfWork
from supportmatch_core.migrate import upgrade_to_head
from supportmatch_core.settings import BACKGROUND_CONNECTIONS
from tests.conftest import TEST_SECRET, Databases


def _profiles(databases: Databases, request_threads: int = 8) -> ProfilesSettings:
    url = databases.url("profiles")
    upgrade_to_head("profiles", url)
    return ProfilesSettings(
        database_url=url,
        jwt_secret=TEST_SECRET,
        run_workers=False,
        request_threads=request_threads,
    )


def test_routes_run_on_as_many_threads_as_the_settings_say_with_a_connection_each(
    databases: Databases,
) -> None:
    app = build_app(_profiles(databases, request_threads=3))
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        assert client.portal is not None
        threads = client.portal.call(to_thread.current_default_thread_limiter)
        assert threads.total_tokens == 3
        pool = app.state.runtime.engine.pool
        assert pool.size() == 3 + BACKGROUND_CONNECTIONS


def test_the_service_answers_ready_while_a_long_write_holds_the_database(
    databases: Databases,
) -> None:
    """A relay pruning its outbox or a catalogue re-match holds SQLite's write lock for a while:
    the service can still read, so it stays ready (and is not restarted for it)."""
    app = build_app(_profiles(databases))
    with TestClient(app) as client, UnitOfWork(app.state.runtime.engine).begin():
        started = time.monotonic()
        assert client.get("/readyz").status_code == 200
        assert time.monotonic() - started < 5  # SQLite's busy timeout is 30 s
