"""Fixtures shared by every test level: free ports, a real broker, databases, tokens."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from supportmatch_core.apache_kafka import SHORT_LIVED_JVM
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
from tests.databases import Databases, Dropper, Templates
from tests.passwords import ENVIRONMENT as PASSWORD_HASHING
from tests.ports import free_port

__all__ = ["TEST_SECRET", "Databases", "bearer", "free_port"]

TEST_SECRET = "test-signing-key-that-is-long-enough-for-hs256"
# Portals built here and the systems started from here hash passwords cheaply (tests/passwords.py).
for _name, _value in PASSWORD_HASHING.items():
    os.environ.setdefault(_name, _value)
POSTGRES_URL = os.environ.get(
    "SUPPORTMATCH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:55432/postgres"
)


@pytest.fixture
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BrokerUnderTest]:
    """An empty broker with every topic created, on its own ports: an embedded one, or, in a test
    that asks for `broker_kind` (`pytestmark = pytest.mark.usefixtures("broker_kind")`), an Apache
    Kafka node started for the test."""
    kind = (
        request.getfixturevalue("broker_kind") if "broker_kind" in request.fixturenames else "tansu"
    )
    if kind == "apache":
        # A node of its own, as the embedded broker is: consumers a finished test left behind can
        # never join the next test's groups (the groups' names are the same in every test). It
        # lives for one test, so it starts on the JVM that costs least to start.
        need_apache_tools()
        own = SharedApacheKafka(single_node(tmp_path, jvm=SHORT_LIVED_JVM))
        try:
            own.cluster.start()
        except KafkaStartError as error:
            own.cluster.stop()
            pytest.fail(f"Apache Kafka did not start: {error}")
        own.reset()
        yield own
        own.cluster.stop()
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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup` with the groups of tests/scheduling.py (xdist 3.8 reads no
    `xdist_group` marks under pytest 9.2: pytest-dev/pytest-xdist#1386)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.scheduling import SharedServerScheduling

    return SharedServerScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Apache Kafka is tested with PostgreSQL, as production runs it; SQLite with Apache Kafka
    (`make run KAFKA=apache`) is run whole by tests/e2e/test_make_run.py. A test on both brokers
    and both databases therefore runs three times, not four: each Apache Kafka test starts a
    node of its own, and those tests go one after the other (tests/scheduling.py). Where no
    PostgreSQL is reachable (outside CI), no Apache Kafka test that needs a database runs."""
    kept, left = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        chosen = params.params if params else {}
        if chosen.get("broker_kind") == "apache" and chosen.get("database_kind") == "sqlite":
            left.append(item)
        else:
            kept.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def _usable(kind: str) -> str:
    """`kind`, once PostgreSQL is known to be reachable if it is "postgres" (skipped only where
    none is, failed where SUPPORTMATCH_REQUIRE_POSTGRES is set)."""
    if kind == "postgres" and not _postgres_reachable():
        if os.environ.get("SUPPORTMATCH_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_URL}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    return kind


@pytest.fixture(params=["sqlite", "postgres"])
def database_kind(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL (skipped only where none is reachable)."""
    return _usable(str(request.param))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_database_kind(request: pytest.FixtureRequest) -> str:
    """`database_kind` for the fixtures a module's tests share: they run on SQLite, then again on
    PostgreSQL."""
    return _usable(str(request.param))


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """This test process's migrated templates, and the thread that drops its test databases."""
    dropper = Dropper(POSTGRES_URL)
    templates = Templates(POSTGRES_URL, tmp_path_factory.mktemp("templates"), dropper)
    yield templates
    templates.close()
    dropper.close()


@pytest.fixture
def databases(
    database_kind: str, tmp_path: Path, database_templates: Templates
) -> Iterator[Databases]:
    dbs = Databases(database_kind, tmp_path, database_templates)
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="module")
def module_databases(
    module_database_kind: str,
    tmp_path_factory: pytest.TempPathFactory,
    database_templates: Templates,
) -> Iterator[Databases]:
    """`databases` for the tests of a module that share them: made before the first of those
    tests and dropped after the last. Only a module-scoped fixture of that module asks for them,
    saying why its tests may share what they write."""
    dbs = Databases(module_database_kind, tmp_path_factory.mktemp("shared"), database_templates)
    yield dbs
    dbs.drop_all()


@pytest.fixture
def tokens() -> TokenService:
    return TokenService(TEST_SECRET)


def bearer(tokens: TokenService, role: Role = Role.ADMIN, **claims: object) -> dict[str, str]:
    token = tokens.issue(subject=f"test-{role.value}", role=role, **claims)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}
