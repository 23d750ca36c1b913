"""A service works on as many requests at once as its settings say, each with a pooled database
connection: more threads than that only contend for the interpreter."""

from __future__ import annotations

from anyio import to_thread
from fastapi.testclient import TestClient

from profiles.app import build_app
from profiles.settings import ProfilesSettings
from supportmatch_core.migrate import upgrade_to_head
from supportmatch_core.settings import BACKGROUND_CONNECTIONS
from tests.conftest import TEST_SECRET, Databases


def test_routes_run_on_as_many_threads_as_the_settings_say_with_a_connection_each(
    databases: Databases,
) -> None:
    url = databases.url("profiles")
    upgrade_to_head("profiles", url)
    settings = ProfilesSettings(
        database_url=url, jwt_secret=TEST_SECRET, run_workers=False, request_threads=3
    )
    app = build_app(settings)
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        assert client.portal is not None
        threads = client.portal.call(to_thread.current_default_thread_limiter)
        assert threads.total_tokens == 3
        pool = app.state.runtime.engine.pool
        assert pool.size() == 3 + BACKGROUND_CONNECTIONS
