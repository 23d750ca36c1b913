"""Kafka clients configured from settings, and explicit topic creation."""

from __future__ import annotations

import logging
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import TopicSpec

log = logging.getLogger(__name__)


# Keep events as long as the outbox keeps them (7 days), so the broker's storage stays bounded.
_RETENTION = {"retention.ms": str(7 * 24 * 3600 * 1000)}


def _common(settings: ServiceSettings) -> dict[str, Any]:
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers.split(","),
        "client_id": settings.service_name,
        "security_protocol": settings.kafka_security_protocol,
    }


def create_producer(settings: ServiceSettings) -> KafkaProducer:
    """A producer that waits for all in-sync replicas; sends fail fast while the broker is away."""
    return KafkaProducer(
        **_common(settings),
        acks="all",
        linger_ms=5,
        max_block_ms=3000,
        request_timeout_ms=5000,
        delivery_timeout_ms=10000,
        reconnect_backoff_max_ms=2000,
    )


def create_consumer(settings: ServiceSettings, *, group: str) -> KafkaConsumer:
    """A consumer in `group` that commits offsets itself, after its handler's transaction."""
    return KafkaConsumer(
        **_common(settings),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.heartbeat_interval_ms,
        max_poll_records=500,
        max_poll_interval_ms=300_000,
        reconnect_backoff_max_ms=2000,
    )


def create_admin(settings: ServiceSettings) -> KafkaAdminClient:
    return KafkaAdminClient(**_common(settings), request_timeout_ms=5000)


def ensure_topics(admin: KafkaAdminClient, specs: list[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    existing = set(admin.list_topics())
    created = []
    for spec in specs:
        if spec.name in existing:
            continue
        try:
            admin.create_topics([NewTopic(spec.name, spec.partitions, 1, topic_configs=_RETENTION)])
            created.append(spec.name)
        except TopicAlreadyExistsError:
            pass  # created meanwhile by another service
    if created:
        log.info("topics created", extra={"topics": created})
    return created


def cluster_id(admin: KafkaAdminClient) -> str:
    """The broker cluster's id; a new id means a new broker that may not hold earlier events."""
    return str(admin.describe_cluster()["cluster_id"])
