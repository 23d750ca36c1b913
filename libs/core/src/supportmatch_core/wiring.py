"""Builds the backbone workers of a service from its settings (used by each composition root)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from supportmatch_core.consumer import EventConsumer
from supportmatch_core.db import UnitOfWork
from supportmatch_core.kafka import (
    create_admin,
    create_consumer,
    create_producer,
    ensure_platform_topics,
)
from supportmatch_core.processing import EventProcessing, Subscription
from supportmatch_core.relay import OutboxRelay
from supportmatch_core.schema import BackboneTables
from supportmatch_core.settings import ServiceSettings


def outbox_relay(settings: ServiceSettings, uow: UnitOfWork, tables: BackboneTables) -> OutboxRelay:
    return OutboxRelay(
        name=f"{settings.service_name}-relay",
        uow=uow,
        tables=tables,
        producer_factory=lambda: create_producer(settings),
        admin_factory=lambda: create_admin(settings),
        poll_seconds=settings.outbox_poll_seconds,
        retention=timedelta(days=settings.outbox_retention_days),
        create_topics=lambda admin: ensure_platform_topics(admin, settings),
    )


def event_consumer(
    settings: ServiceSettings,
    uow: UnitOfWork,
    tables: BackboneTables,
    subscriptions: Sequence[Subscription],
    *,
    max_poll_records: int = 500,
) -> EventConsumer:
    """The service's one consumer of every topic it reads, in the group named after it."""
    processing = EventProcessing(
        group=settings.service_name,
        subscriptions=subscriptions,
        uow=uow,
        tables=tables,
        producer_factory=lambda: create_producer(settings),
        max_attempts=settings.consumer_max_attempts,
    )
    return EventConsumer(
        processing,
        consumer_factory=lambda group: create_consumer(
            settings, group=group, max_poll_records=max_poll_records
        ),
        admin_factory=lambda: create_admin(settings),
    )
