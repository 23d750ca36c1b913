"""PostgreSQL taken away under running services: the APIs answer 503 with Retry-After, /readyz
says why, a consumer keeps its events until the database is back, and nothing is lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kafka import KafkaConsumer, TopicPartition

from supportmatch_core.auth import TokenService
from supportmatch_core.broker import EmbeddedBroker
from supportmatch_core.problems import MEDIA_TYPE, RETRY_AFTER_SECONDS
from supportmatch_core.topics import PROFILE, dead_letter
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.outage import Cuttable
from tests.integration.system import InProcessSystem, wait_until

pytestmark = pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)


@pytest.fixture
def outage(databases: Databases) -> Iterator[dict[str, Cuttable]]:
    """A cuttable link to the profiles and eligibility databases."""
    links = {name: Cuttable(databases.migrated(name)) for name in ("profiles", "eligibility")}
    yield links
    for link in links.values():
        link.close()


def running(
    broker: EmbeddedBroker, databases: Databases, links: dict[str, Cuttable]
) -> InProcessSystem:
    system = InProcessSystem(bootstrap=broker.bootstrap_servers, databases=databases)
    system.urls.update({name: link.url for name, link in links.items()})
    return system


def test_the_api_answers_503_with_retry_after_while_its_database_is_away(
    broker: EmbeddedBroker,
    databases: Databases,
    outage: dict[str, Cuttable],
    tokens: TokenService,
) -> None:
    admin = bearer(tokens)
    first, second = enterprise_payload(), enterprise_payload()
    with running(broker, databases, outage) as system:
        assert system.profiles.post("/v1/enterprises", json=first, headers=admin).status_code == 201
        outage["profiles"].cut()

        read = system.profiles.get(f"/v1/enterprises/{first['uscc']}", headers=admin)
        write = system.profiles.post("/v1/enterprises", json=second, headers=admin)
        ready = system.profiles.get("/readyz")

        for answer in (read, write):
            assert answer.status_code == 503
            assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            assert answer.headers["Content-Type"] == MEDIA_TYPE
            assert "数据库暂时不可用" in answer.json()["detail_zh"]
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("failed")

        outage["profiles"].mend()
        assert wait_until(
            lambda: (
                system.profiles.post("/v1/enterprises", json=second, headers=admin).status_code
                == 201
            ),
            timeout=20,
        )
        assert system.profiles.get(f"/v1/enterprises/{first['uscc']}", headers=admin).is_success
        assert wait_until(lambda: system.count("eligibility", "enterprise_facts") == 2, timeout=30)


def test_a_consumer_keeps_its_events_while_its_database_is_away(
    broker: EmbeddedBroker,
    databases: Databases,
    outage: dict[str, Cuttable],
    tokens: TokenService,
) -> None:
    admin = bearer(tokens)
    with running(broker, databases, outage) as system:
        outage["eligibility"].cut()
        firms = [enterprise_payload() for _ in range(10)]
        for body in firms:
            assert system.profiles.post("/v1/enterprises", json=body, headers=admin).is_success

        def consumer_reported() -> bool:
            checks = system.eligibility.get("/readyz").json()["checks"]
            workers = checks.get("workers", {})
            return any("unavailable" in state for state in workers.values())

        assert wait_until(consumer_reported, timeout=30)
        assert system.eligibility.get("/readyz").status_code == 503

        outage["eligibility"].mend()
        assert wait_until(lambda: system.count("eligibility", "enterprise_facts") == 10, timeout=60)
        assert wait_until(lambda: system.eligibility.get("/readyz").status_code == 200, timeout=30)
        assert system.count("eligibility", "processed_events") == 10  # each handled once
        assert parked(broker, dead_letter(PROFILE)) == 0  # and none given up on


def parked(broker: EmbeddedBroker, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()
