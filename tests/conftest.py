"""Fixtures shared by every test level: free ports, a real broker, databases, tokens."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from supportmatch_core.auth import Role, TokenService
from supportmatch_core.broker import EmbeddedBroker
from supportmatch_core.kafka_jars import KafkaStartError
from tests.brokers import (
    BrokerUnderTest,
    SharedApacheKafka,
    chosen_kinds,
    need_apache_tools,
    single_node,
)

TEST_SECRET = "test-signing-key-that-is-long-enough-for-hs256"
POSTGRES_URL = os.environ.get(
    "SUPPORTMATCH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:55432/postgres"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BrokerUnderTest]:
    """An empty broker with every topic created: a fresh embedded one on its own port, or, in a
    test that asks for `broker_kind` (`pytestmark = pytest.mark.usefixtures("broker_kind")`), the
    session's Apache Kafka emptied for the test."""
    kind = (
        request.getfixturevalue("broker_kind") if "broker_kind" in request.fixturenames else "tansu"
    )
    if kind == "apache":
        shared: SharedApacheKafka = request.getfixturevalue("apache_kafka")
        shared.reset()
        yield shared
        return
    instance = EmbeddedBroker(f"127.0.0.1:{free_port()}", log_file=tmp_path / "broker.log")
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture(params=chosen_kinds())
def broker_kind(request: pytest.FixtureRequest) -> str:
    """Runs a test on each broker of SUPPORTMATCH_TEST_BROKERS (default: Tansu and Apache Kafka)."""
    return str(request.param)


@pytest.fixture(scope="session")
def apache_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedApacheKafka]:
    """One Apache Kafka node for the whole session, on free ports, from the cached jars."""
    need_apache_tools()
    cluster = single_node(tmp_path_factory.mktemp("apache-kafka"))
    try:
        cluster.start()
    except KafkaStartError as error:
        cluster.stop()
        pytest.fail(f"Apache Kafka did not start: {error}")
    yield SharedApacheKafka(cluster)
    cluster.stop()


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


@pytest.fixture(params=["sqlite", "postgres"])
def database_kind(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL (skipped only where none is reachable)."""
    if request.param == "postgres" and not _postgres_reachable():
        if os.environ.get("SUPPORTMATCH_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_URL}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    return str(request.param)


class Databases:
    """Creates one empty database per service and drops the PostgreSQL ones afterwards."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind, self.folder = kind, folder
        self._created: list[str] = []

    def url(self, service: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder / f'{service}.sqlite3'}"
        name = f"sm_test_{service}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return str(make_url(POSTGRES_URL).set(database=name))

    def drop_all(self) -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            for name in self._created:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def databases(database_kind: str, tmp_path: Path) -> Iterator[Databases]:
    dbs = Databases(database_kind, tmp_path)
    yield dbs
    if database_kind == "postgres":
        dbs.drop_all()


@pytest.fixture
def tokens() -> TokenService:
    return TokenService(TEST_SECRET)


def bearer(tokens: TokenService, role: Role = Role.ADMIN, **claims: object) -> dict[str, str]:
    token = tokens.issue(subject=f"test-{role.value}", role=role, **claims)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}
