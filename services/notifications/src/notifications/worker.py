"""Background work of the notifications service: three consumers, the delivery worker, the
schedule (reminders, digests) and the outbox relay."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import datetime, timedelta

from notifications.adapters.checked_http import Connect
from notifications.adapters.destinations import DestinationPolicy, Resolver, resolve
from notifications.adapters.email import SmtpConfig, SmtpSender
from notifications.adapters.tables import backbone
from notifications.adapters.webhooks import WebhookSender
from notifications.delivery import DeliveryWorker
from notifications.domain.retry import RetryPolicy
from notifications.domain.special_addresses import parse_networks
from notifications.domain.webhook_urls import UrlRules, parse_ports
from notifications.handlers import (
    determinations_handler,
    measure_handler,
    one_by_one,
    profile_handler,
)
from notifications.schedule import Scheduler
from notifications.settings import NotificationsSettings
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox
from supportmatch_core.topics import DETERMINATION, MEASURE, PROFILE
from supportmatch_core.wiring import event_consumer, outbox_relay
from supportmatch_core.workers import WorkerGroup


def smtp_sender(settings: NotificationsSettings) -> SmtpSender:
    return SmtpSender(
        SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout_seconds,
            ca_file=settings.smtp_ca_file,
        )
    )


def webhook_sender(
    settings: NotificationsSettings,
    *,
    resolver: Resolver = resolve,
    ssl_context: ssl.SSLContext | None = None,
    connect: Connect | None = None,
) -> WebhookSender:
    """The sender under the configured destination rules; tests pass the rest."""
    policy = DestinationPolicy(
        allowed=parse_networks(settings.webhook_allowed_networks),
        rules=UrlRules(
            https_only=settings.webhook_https_only,
            ports=parse_ports(settings.webhook_allowed_ports),
        ),
        resolver=resolver,
    )
    return WebhookSender(
        policy, timeout=settings.webhook_timeout_seconds, ssl_context=ssl_context, connect=connect
    )


def delivery_worker(
    settings: NotificationsSettings,
    uow: UnitOfWork,
    *,
    clock: Callable[[], datetime],
    sender: WebhookSender,
) -> DeliveryWorker:
    return DeliveryWorker(
        uow=uow,
        outbox=Outbox(backbone),
        smtp=smtp_sender(settings),
        webhooks=sender,
        policy=RetryPolicy(
            max_attempts=settings.delivery_max_attempts,
            base_seconds=settings.delivery_backoff_seconds,
            cap_seconds=settings.delivery_backoff_cap_seconds,
        ),
        clock=clock,
        batch=settings.delivery_batch,
        poll_seconds=settings.delivery_poll_seconds,
        disable_after=settings.webhook_disable_after_failures,
        disable_after_time=timedelta(hours=settings.webhook_disable_after_hours),
        lease=timedelta(seconds=settings.delivery_lease_seconds),
    )


def workers(
    settings: NotificationsSettings,
    uow: UnitOfWork,
    *,
    clock: Callable[[], datetime],
    sender: WebhookSender,
) -> WorkerGroup:
    determinations = determinations_handler(clock)
    return WorkerGroup(
        [
            event_consumer(
                settings,
                uow,
                backbone,
                topic=DETERMINATION,
                handler=one_by_one(determinations),
                batch_handler=determinations,
            ),
            event_consumer(settings, uow, backbone, topic=PROFILE, handler=profile_handler(clock)),
            event_consumer(settings, uow, backbone, topic=MEASURE, handler=measure_handler(clock)),
            delivery_worker(settings, uow, clock=clock, sender=sender),
            Scheduler(
                uow=uow,
                clock=clock,
                digest_hour=settings.digest_hour,
                every_seconds=settings.schedule_seconds,
            ),
            outbox_relay(settings, uow, backbone),
        ]
    )
