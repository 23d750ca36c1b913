"""HTTP metrics are labelled only by known methods and route templates: requests with invented
methods and paths add no series, so /metrics cannot be grown by a caller."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from supportmatch_core.metrics import HTTP_LATENCY, HTTP_REQUESTS, KNOWN_METHODS
from tests.conftest import Databases
from tests.factories import new_uscc
from tests.integration.system import InProcessSystem

_rng = random.Random(20261206)


@pytest.fixture
def system(tmp_path: Path) -> Iterator[InProcessSystem]:
    # Metrics are kept per process: forget the series of the tests this worker ran before (the
    # portal's routes, for one, which are not among the three services' templates).
    HTTP_REQUESTS.clear()
    HTTP_LATENCY.clear()
    # Metrics touch no database: SQLite alone is enough.
    databases = Databases("sqlite", tmp_path)
    with InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False) as running:
        yield running


def _method() -> str:
    while (method := "".join(_rng.choices(string.ascii_uppercase, k=_rng.randint(3, 12)))) in (
        KNOWN_METHODS
    ):
        pass
    return method


def _path() -> str:
    known = [f"/v1/enterprises/{new_uscc()}", "/v1/enterprises", "/v1/checks", "/healthz"]
    invented = "/" + "/".join(
        "".join(_rng.choices(string.ascii_lowercase + string.digits, k=8)) for _ in range(3)
    )
    return _rng.choice([*known, invented])


def _series(client: TestClient) -> set[str]:
    lines = client.get("/metrics").text.splitlines()
    return {line.rsplit(" ", 1)[0] for line in lines if line.startswith("http_request")}


def _templates(system: InProcessSystem) -> set[str]:
    """The route templates of the three services (one registry of metrics serves them here)."""
    documents = [c.get("/openapi.json").json() for c in system.clients.values()]
    # The schema and the docs page are served but kept out of the documents themselves.
    return {"/openapi.json", "/docs"}.union(*(document["paths"] for document in documents))


def test_invented_methods_and_paths_add_no_series(system: InProcessSystem) -> None:
    for client in system.clients.values():
        for _ in range(50):  # each kind of answer once: 404, 405 on each known path
            client.request(_method(), _path())
        client.get("/metrics")  # its own series too
        before = _series(client)
        size = len(client.get("/metrics").content)
        for _ in range(300):  # each would add a series or two if it were labelled as sent
            client.request(_method(), _path())
        assert _series(client) == before
        assert len(client.get("/metrics").content) < size + 2_000  # only counts grow
        labels = [s for s in before if s.startswith("http_requests_total{")]
        methods = {s.split('method="')[1].split('"')[0] for s in labels}
        assert methods <= KNOWN_METHODS | {"other"}, methods
        routes = {s.split('route="')[1].split('"')[0] for s in labels}
        assert routes <= _templates(system) | {"unmatched"}, routes - _templates(system)
