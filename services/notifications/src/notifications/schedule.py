"""Scheduled work, driven by an injected clock: reminders before a measure ends, daily digests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from notifications.adapters import recipients, repository
from notifications.domain.messages import digest, ending_soon
from notifications.domain.preferences import DEFAULT_TIME_ZONE, Channel
from notifications.domain.recipients import Recipient
from notifications.fanout import About, Writes, notify, writing
from supportmatch_core.db import UnitOfWork
from supportmatch_core.workers import Health

log = logging.getLogger(__name__)

REMINDER_DAYS = (1, 7, 30)
_CHINA = ZoneInfo(DEFAULT_TIME_ZONE)


def local_day(now: datetime) -> date:
    """The calendar day in China, by which measures start and end."""
    return now.astimezone(_CHINA).date()


def send_reminders(connection: Connection, *, now: datetime) -> int:
    """Remind firms of eligible measures ending within 30, 7 and 1 days; returns how many.

    Each (firm, measure, end date, threshold) is told once, however often this runs; a firm
    that marked the measure as applied for or declined is not reminded.
    """
    today = local_day(now)
    sent = 0
    ending = repository.ending_between(connection, today, today + timedelta(days=REMINDER_DAYS[-1]))
    firms = recipients.enterprises(connection, {h.uscc: None for h in ending}, now=now)
    with writing(connection) as writes:
        writes.prefetch_subscriptions([firm.id for firm in firms.values()])
        for holding in ending:
            remind(writes, holding, firms[holding.uscc], today=today, now=now)
            sent += 1
    return sent


def remind(writes: Writes, holding: Any, firm: Recipient, *, today: date, now: datetime) -> None:
    """Tell `firm` that a measure it qualifies for ends soon, once per threshold."""
    days_left = (holding.valid_to - today).days
    threshold = min(d for d in REMINDER_DAYS if days_left <= d)
    notify(
        writes,
        firm,
        ending_soon(holding.measure, holding.valid_to, max(days_left, 1)),
        trigger=f"ending:{holding.measure_id}:{holding.valid_to.isoformat()}:{threshold}d",
        now=now,
        about=About(
            uscc=holding.uscc,
            province_code=firm.province_code,
            measure=holding.measure,
            status=holding.status,
        ),
    )


def send_digests(connection: Connection, *, now: datetime, hour: int) -> int:
    """Send each recipient's digest once its local day has reached `hour`; returns how many."""
    sent = 0
    for recipient_id in repository.recipients_with_pending_digest(connection):
        recipient = recipients.recipient_by_id(connection, recipient_id)
        local = recipient.preferences.local(now)
        if local.hour < hour:
            continue
        key = f"digest:{local.date().isoformat()}"
        if repository.digest_sent(connection, recipient_id, key):
            continue  # one digest a day: what came after it waits for tomorrow's
        items = repository.take_digest_items(connection, recipient_id, key, now)
        if not items:
            continue
        message = digest(local.date(), [i.line_zh for i in items], [i.line_en for i in items])
        # A firm's inbox already holds each notice; a caseworker's digest is its inbox entry.
        channels = frozenset(Channel) if recipient.is_caseworker else frozenset({Channel.EMAIL})
        with writing(connection) as writes:
            notify(writes, recipient, message, trigger=key, now=now, channels=channels)
        sent += 1
    return sent


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
        with self._uow.begin() as connection:
            digests = send_digests(connection, now=now, hour=self._digest_hour)
        reminders = 0
        if self._reminded_on != local_day(now):
            with self._uow.begin() as connection:
                reminders = send_reminders(connection, now=now)
            self._reminded_on = local_day(now)
        if digests or reminders:
            log.info("scheduled notices", extra={"digests": digests, "reminders": reminders})

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.tick()
            self.health.ok()
            stop.wait(self._every)
