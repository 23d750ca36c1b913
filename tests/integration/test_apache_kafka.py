"""The services' Kafka clients, built from settings, on the real Apache Kafka broker."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography.hazmat.primitives import serialization
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import InvalidSessionTimeoutError, KafkaError

from supportmatch_core.apache_kafka import ApacheKafka, ScramOverTls
from supportmatch_core.kafka import (
    RETENTION_MS,
    create_admin,
    create_consumer,
    create_producer,
    ensure_platform_topics,
)
from supportmatch_core.kafka_jars import KafkaStartError
from supportmatch_core.settings import CLUSTER_SESSION_TIMEOUT_MS, ServiceSettings
from supportmatch_core.topics import PROFILE, all_topics, dead_letter
from tests.brokers import SharedApacheKafka, consume, described, need_apache_tools, single_node
from tests.conftest import TEST_SECRET


def _settings(bootstrap: str, **overrides: Any) -> ServiceSettings:
    return ServiceSettings(
        service_name="kafka-test",
        database_url="sqlite://",
        kafka_bootstrap_servers=bootstrap,
        jwt_secret=TEST_SECRET,
        **overrides,
    )


def test_the_producer_is_idempotent_and_waits_for_every_in_sync_replica(
    apache_kafka: SharedApacheKafka,
) -> None:
    apache_kafka.reset()
    settings = _settings(apache_kafka.address)
    producer = create_producer(settings)
    try:
        assert producer.config["acks"] == -1
        assert producer.config["enable_idempotence"] is True
        sent = [
            producer.send(PROFILE, key=f"9144030019220382{i:02d}".encode(), value=b"{}").get(10)
            for i in range(30)
        ]
    finally:
        producer.close()
    admin = create_admin(settings)
    try:
        written = {TopicPartition(PROFILE, meta.partition) for meta in sent}
        states = admin.describe_producers(written)
    finally:
        admin.close()
    # The broker keeps a producer id and sequence only for idempotent writes.
    for partition in written:
        (producer_state,) = states[partition].active_producers
        assert producer_state.producer_id >= 0
        assert producer_state.last_sequence >= 0
    assert len(consume(settings, PROFILE, 30)) == 30


def test_consumers_join_with_the_cluster_session_timeout_which_refuses_the_embedded_one(
    apache_kafka: SharedApacheKafka,
) -> None:
    apache_kafka.reset()
    cluster = _settings(apache_kafka.address)
    assert cluster.kafka_session_timeout_ms == CLUSTER_SESSION_TIMEOUT_MS
    producer = create_producer(cluster)
    producer.send(PROFILE, key=b"k", value=b"{}").get(10)
    producer.close()
    assert len(consume(cluster, PROFILE, 1)) == 1

    embedded = _settings(apache_kafka.address, kafka_embedded=True)
    consumer = create_consumer(embedded, group="embedded-timeout")
    consumer.subscribe([PROFILE])
    try:
        with pytest.raises(InvalidSessionTimeoutError):
            _poll_until_refused(consumer)
    finally:
        consumer.close()


def _poll_until_refused(consumer: KafkaConsumer) -> None:
    for _ in range(20):
        consumer.poll(timeout_ms=500)


def test_topics_get_the_configured_layout_and_the_profile_topic_is_compacted(
    apache_kafka: SharedApacheKafka,
) -> None:
    apache_kafka.reset(create_topics=False)
    settings = _settings(
        apache_kafka.address, kafka_topic_partitions=4, kafka_min_insync_replicas=1
    )
    admin = create_admin(settings)
    try:
        ensure_platform_topics(admin, settings)
        created = [spec.name for spec in all_topics()]
        layout = described(admin, created)
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in created]
        )["topic"]
    finally:
        admin.close()
    for spec in all_topics():
        partitions = layout[spec.name]["partitions"]
        assert len(partitions) == (1 if spec.name.endswith(".dlq") else 4)
        assert all(len(p["replica_nodes"]) == 1 for p in partitions)
        assert configs[spec.name]["min.insync.replicas"]["value"] == "1"
    assert dead_letter(PROFILE) in layout
    profile = configs[PROFILE]
    assert profile["cleanup.policy"]["value"] == "compact"
    for name in created:
        if name != PROFILE:
            assert "cleanup.policy" not in configs[name]  # the broker's default: delete
            assert configs[name]["retention.ms"]["value"] == RETENTION_MS


@pytest.fixture(scope="module")
def scram_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ApacheKafka, Path]]:
    """A node whose only client listener is SASL_SSL with SCRAM-SHA-512, its certificate signed by
    a CA made here; the services' user `supportmatch` was created when its storage was formatted."""
    need_apache_tools()
    folder = tmp_path_factory.mktemp("scram-kafka")
    authority = trustme.CA()
    ca_file = folder / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    leaf = authority.issue_cert("127.0.0.1", "localhost")
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), password=None)
    keystore = folder / "broker.pem"
    keystore.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,  # Kafka's PEM key store reads PKCS#8 only
            serialization.NoEncryption(),
        )
        + b"".join(pem.bytes() for pem in leaf.cert_chain_pems)
    )
    users = {"broker": secrets.token_hex(16), "supportmatch": secrets.token_hex(16)}
    password_file = folder / "kafka-password"
    password_file.write_text(users["supportmatch"] + "\n")
    security = ScramOverTls(keystore=keystore, ca_file=ca_file, users=users, broker_user="broker")
    cluster = single_node(folder, security=security)
    try:
        cluster.start()
    except KafkaStartError as error:
        cluster.stop()
        pytest.fail(f"Apache Kafka with SASL_SSL did not start: {error}")
    yield cluster, password_file
    cluster.stop()


def _secured(cluster: ApacheKafka, **overrides: Any) -> ServiceSettings:
    assert cluster.security is not None
    return _settings(
        cluster.bootstrap_servers,
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="supportmatch",
        kafka_ssl_cafile=str(cluster.security.ca_file),
        **overrides,
    )


def test_the_services_produce_and_consume_over_sasl_scram_and_tls(
    scram_kafka: tuple[ApacheKafka, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster, password_file = scram_kafka
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", str(password_file))  # as a mounted secret
    settings = _secured(cluster)
    assert password_file.read_text().strip() not in repr(settings)
    admin = create_admin(settings)
    try:
        ensure_platform_topics(admin, settings)
    finally:
        admin.close()
    producer = create_producer(settings)
    try:
        producer.send(PROFILE, key=b"914403001922038216", value=b'{"v": 1}').get(10)
    finally:
        producer.close()
    (message,) = consume(settings, PROFILE, 1)
    assert (message.key, message.value) == (b"914403001922038216", b'{"v": 1}')


def test_a_wrong_password_is_refused_with_a_clear_error(
    scram_kafka: tuple[ApacheKafka, Path], caplog: pytest.LogCaptureFixture
) -> None:
    cluster, _ = scram_kafka
    settings = _secured(cluster, kafka_sasl_password="not-the-password")
    for _ in range(3):  # on a loaded machine a try can end at the TLS handshake, before the answer
        with pytest.raises(KafkaError):
            create_admin(settings)
        if "invalid credentials" in caplog.text:
            break
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in caplog.text
    assert "not-the-password" not in caplog.text


def test_an_unsecured_client_gets_nothing_from_the_secured_listener(
    scram_kafka: tuple[ApacheKafka, Path],
) -> None:
    cluster, _ = scram_kafka
    with pytest.raises(KafkaError):
        KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers, bootstrap_timeout_ms=3000)
