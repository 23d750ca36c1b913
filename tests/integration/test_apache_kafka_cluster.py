"""Three Apache Kafka nodes in one KRaft quorum: topics with three replicas keep taking writes when
a node goes down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from supportmatch_core.apache_kafka import SHORT_LIVED_JVM, ApacheKafka
from supportmatch_core.kafka import create_admin, create_producer, ensure_platform_topics
from supportmatch_core.kafka_jars import KafkaStartError
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import PROFILE
from tests.brokers import consume, described, free_ports, need_apache_tools
from tests.conftest import TEST_SECRET


@pytest.fixture
def three_nodes(tmp_path: Path) -> Iterator[ApacheKafka]:
    need_apache_tools()
    ports = free_ports(6)
    cluster = ApacheKafka(
        tmp_path / "kafka",
        ports=list(zip(ports[::2], ports[1::2], strict=True)),
        logs=tmp_path,
        jvm=SHORT_LIVED_JVM,
    )
    try:
        cluster.start()
    except KafkaStartError as error:
        cluster.stop()
        pytest.fail(f"three Kafka nodes did not start: {error}")
    yield cluster
    cluster.stop(timeout=10)


def test_three_replicas_with_two_in_sync_survive_the_loss_of_a_node(
    three_nodes: ApacheKafka,
) -> None:
    settings = ServiceSettings(
        service_name="cluster-test",
        database_url="sqlite://",
        kafka_bootstrap_servers=three_nodes.bootstrap_servers,
        jwt_secret=TEST_SECRET,
        kafka_replication_factor=3,
        kafka_min_insync_replicas=2,
    )
    admin = create_admin(settings)
    try:
        ensure_platform_topics(admin, settings)
        partitions = described(admin, [PROFILE])[PROFILE]["partitions"]
    finally:
        admin.close()
    assert [sorted(p["replica_nodes"]) for p in partitions] == [[1, 2, 3]] * 3

    producer = create_producer(settings)
    try:
        for i in range(10):
            producer.send(PROFILE, key=f"before-{i}".encode(), value=b"{}").get(15)
        three_nodes.stop(node_ids=[3])
        for i in range(10):
            producer.send(PROFILE, key=f"after-{i}".encode(), value=b"{}").get(30)
    finally:
        producer.close()
    assert len(consume(settings, PROFILE, 20)) == 20
