"""Kafka clients configured from settings, and explicit topic creation."""

from __future__ import annotations

import logging
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import TopicSpec, all_topics

log = logging.getLogger(__name__)


# Keep events as long as the outbox keeps them (7 days), so the broker's storage stays bounded.
RETENTION_MS = str(7 * 24 * 3600 * 1000)


def client_config(settings: ServiceSettings) -> dict[str, Any]:
    """The kafka-python options every client shares: brokers, and the login when SASL is on."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers.split(","),
        "client_id": settings.service_name,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol.startswith("SASL_"):
        config |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password.get_secret_value(),
        }
    if settings.kafka_ssl_cafile:
        config["ssl_cafile"] = settings.kafka_ssl_cafile
    return config


def create_producer(settings: ServiceSettings) -> KafkaProducer:
    """An idempotent producer that waits for all in-sync replicas; sends fail fast while the
    broker is away. Idempotence keeps a retried send from being stored twice."""
    return KafkaProducer(
        **client_config(settings),
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        # A determination event is about 4.6 KB: kafka-python's 16 KiB batches hold three, and a
        # relay then waits for a round trip every few events (bench/producer.py: 3,700 events/s
        # at 16 KiB, 8,800 at 256 KiB). Brokers take batches up to about 1 MB by default.
        batch_size=256 * 1024,
        max_block_ms=3000,
        request_timeout_ms=5000,
        delivery_timeout_ms=10000,
        reconnect_backoff_max_ms=2000,
    )


def create_consumer(
    settings: ServiceSettings, *, group: str, max_poll_records: int = 500
) -> KafkaConsumer:
    """A consumer in `group` that commits offsets itself, after its handler's transaction (one
    transaction a poll of at most `max_poll_records` messages)."""
    return KafkaConsumer(
        **client_config(settings),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.heartbeat_interval_ms,
        max_poll_records=max_poll_records,
        max_poll_interval_ms=300_000,
        reconnect_backoff_max_ms=2000,
        # A broker that cannot be reached is reported (the consumer failing in /readyz) after
        # 10 s, as the relay's admin client does, not after kafka-python's 30 s.
        bootstrap_timeout_ms=10_000,
        # A group that formed before a topic's partitions were known (created a moment later by
        # another service, or partitions added) is given them at the next refresh: 10 s, not 5 min.
        metadata_max_age_ms=10_000,
    )


def create_admin(settings: ServiceSettings) -> KafkaAdminClient:
    """An admin client; raises KafkaError when no broker lets it in within 10 s (a refused login
    is logged by kafka-python with its reason, as every refused connection is)."""
    return KafkaAdminClient(
        **client_config(settings), request_timeout_ms=5000, bootstrap_timeout_ms=10_000
    )


def topic_configs(spec: TopicSpec, *, min_insync_replicas: int = 0) -> dict[str, str]:
    """A compacted topic keeps the latest event per key for good; the others keep 7 days."""
    configs = {"cleanup.policy": "compact"} if spec.compacted else {"retention.ms": RETENTION_MS}
    if min_insync_replicas:
        configs["min.insync.replicas"] = str(min_insync_replicas)
    return configs


def ensure_topics(
    admin: KafkaAdminClient,
    specs: list[TopicSpec],
    *,
    replication_factor: int = 1,
    min_insync_replicas: int = 0,
) -> list[str]:
    """Create the topics that do not exist yet (existing ones are left as they are); returns the
    names created."""
    existing = set(admin.list_topics())
    created = []
    for spec in specs:
        if spec.name in existing:
            continue
        configs = topic_configs(spec, min_insync_replicas=min_insync_replicas)
        try:
            admin.create_topics(
                [NewTopic(spec.name, spec.partitions, replication_factor, topic_configs=configs)]
            )
            created.append(spec.name)
        except TopicAlreadyExistsError:
            pass  # created meanwhile by another service
    if created:
        log.info("topics created", extra={"topics": created})
    return created


def ensure_platform_topics(admin: KafkaAdminClient, settings: ServiceSettings) -> list[str]:
    """Every platform topic with the partitions, replicas and min.insync.replicas of `settings`."""
    return ensure_topics(
        admin,
        all_topics(settings.kafka_topic_partitions),
        replication_factor=settings.kafka_replication_factor,
        min_insync_replicas=settings.kafka_min_insync_replicas,
    )


def cluster_id(admin: KafkaAdminClient) -> str:
    """The broker cluster's id; a new id means a new broker that may not hold earlier events."""
    return str(admin.describe_cluster()["cluster_id"])
