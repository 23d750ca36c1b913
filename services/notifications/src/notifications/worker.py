"""Background work of the notifications service: one consumer of its four topics, the delivery
worker, the schedule (reminders, digests) and the outbox relay, each a thin loop around its use
case."""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from notifications import handlers
from notifications.adapters.checked_http import Connect
from notifications.adapters.destinations import DestinationPolicy, Resolver, resolve
from notifications.adapters.email import SmtpConfig, SmtpSender
from notifications.adapters.tables import backbone
from notifications.adapters.unit_of_work import SqlUnitOfWork, SqlWork
from notifications.adapters.webhooks import WebhookSender
from notifications.domain.retry import RetryPolicy
from notifications.domain.special_addresses import parse_networks
from notifications.domain.webhook_urls import UrlRules, parse_ports
from notifications.settings import NotificationsSettings
from notifications.use_cases.deliver import Deliverer
from notifications.use_cases.ports import UnitOfWork
from notifications.use_cases.schedule import (
    local_day,
    remind_of_cases,
    send_digests,
    send_reminders,
)
from supportmatch_core.db import UnitOfWork as Transactions
from supportmatch_core.events import Event
from supportmatch_core.processing import Subscription
from supportmatch_core.topics import CASE, DETERMINATION, MEASURE, PROFILE
from supportmatch_core.wiring import event_consumer, outbox_relay
from supportmatch_core.workers import Health, WorkerGroup

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


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


class DeliveryWorker:
    """Sends due deliveries in rounds; waits `poll_seconds` when none was due."""

    name = "notifications-delivery"

    def __init__(self, deliverer: Deliverer, *, poll_seconds: float = 0.5) -> None:
        self.deliverer, self._poll = deliverer, poll_seconds
        self.health = Health()

    def deliver_due(self) -> int:
        return self.deliverer.deliver_due()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            attempted = self.deliverer.deliver_due()
            self.health.ok()
            if not attempted:
                stop.wait(self._poll)


class Scheduler:
    """Runs the digests every `every_seconds` and the reminders once per day in China."""

    name = "notifications-schedule"

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        clock: Callable[[], datetime],
        digest_hour: int,
        every_seconds: float,
    ) -> None:
        self._uow, self._clock = uow, clock
        self._digest_hour, self._every = digest_hour, every_seconds
        self.health = Health()
        self._reminded_on: date | None = None

    def tick(self) -> None:
        now = self._clock()
        with self._uow.begin() as work:
            digests = send_digests(work, now=now, hour=self._digest_hour)
        reminders = 0
        if self._reminded_on != local_day(now):
            with self._uow.begin() as work:
                reminders = send_reminders(work, now=now)
            with self._uow.begin() as work:
                reminders += remind_of_cases(work, now=now)
            self._reminded_on = local_day(now)
        if digests or reminders:
            log.info("scheduled notices", extra={"digests": digests, "reminders": reminders})

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.tick()
            self.health.ok()
            stop.wait(self._every)


def delivery_worker(
    settings: NotificationsSettings,
    uow: UnitOfWork,
    *,
    clock: Callable[[], datetime],
    sender: WebhookSender,
) -> DeliveryWorker:
    deliverer = Deliverer(
        uow=uow,
        smtp=smtp_sender(settings),
        webhooks=sender,
        policy=RetryPolicy(
            max_attempts=settings.delivery_max_attempts,
            base_seconds=settings.delivery_backoff_seconds,
            cap_seconds=settings.delivery_backoff_cap_seconds,
        ),
        clock=clock,
        batch=settings.delivery_batch,
        disable_after=settings.webhook_disable_after_failures,
        disable_after_time=timedelta(hours=settings.webhook_disable_after_hours),
        lease=timedelta(seconds=settings.delivery_lease_seconds),
    )
    return DeliveryWorker(deliverer, poll_seconds=settings.delivery_poll_seconds)


def workers(
    settings: NotificationsSettings,
    uow: SqlUnitOfWork,
    *,
    clock: Clock,
    sender: WebhookSender,
) -> WorkerGroup:
    """The consumers' handlers each get the repositories of the consumer's own transaction."""

    def on_determinations(connection: Connection, events: Sequence[Event]) -> None:
        handlers.determinations_changed(SqlWork(connection), events, now=clock())

    def on_determination(connection: Connection, event: Event) -> None:
        on_determinations(connection, [event])

    def on_profile(connection: Connection, event: Event) -> None:
        handlers.profile_changed(SqlWork(connection), event, now=clock())

    def on_measure(connection: Connection, event: Event) -> None:
        handlers.measure_changed(SqlWork(connection), event, now=clock())

    def on_case(connection: Connection, event: Event) -> None:
        handlers.case_changed(SqlWork(connection), event, now=clock())

    transactions = Transactions(uow.engine)
    return WorkerGroup(
        [
            event_consumer(
                settings,
                transactions,
                backbone,
                [
                    Subscription(DETERMINATION, on_determination, on_determinations),
                    Subscription(PROFILE, on_profile),
                    Subscription(MEASURE, on_measure),
                    Subscription(CASE, on_case),
                ],
            ),
            delivery_worker(settings, uow, clock=clock, sender=sender),
            Scheduler(
                uow=uow,
                clock=clock,
                digest_hour=settings.digest_hour,
                every_seconds=settings.schedule_seconds,
            ),
            outbox_relay(settings, transactions, backbone),
        ]
    )
