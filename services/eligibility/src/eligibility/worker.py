"""Background work of the eligibility service: one consumer of profiles and cases, the daily tick,
the explainer and the relay, each a thin loop around its use case."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from eligibility import handlers
from eligibility.adapters.tables import backbone
from eligibility.adapters.unit_of_work import SqlUnitOfWork
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.lifecycle import StaleCatalogue
from eligibility.use_cases.catalogue import refresh
from eligibility.use_cases.explain import explain_pending
from eligibility.use_cases.ports import UnitOfWork
from eligibility.use_cases.rematch import place_misplaced, rematch_due
from supportmatch_core.contracts.case import CaseChanged
from supportmatch_core.contracts.profile import ProfileChanged
from supportmatch_core.db import UnitOfWork as Transactions
from supportmatch_core.events import Event
from supportmatch_core.processing import Subscription
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import CASE, PROFILE
from supportmatch_core.wiring import event_consumer, outbox_relay
from supportmatch_core.workers import Health, WorkerGroup

log = logging.getLogger(__name__)
PROFILES_PER_BATCH = 100


# A transaction that wrote a firm before the last tick may commit after it: ticks overlap by this.
PLACES_OVERLAP = timedelta(minutes=10)


class DailyTick:
    """Re-decides the population for measure versions not yet decided today: at start-up (a new
    catalogue) and when the day changes (measures entering or leaving their validity)."""

    name = "eligibility-daily-tick"

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        catalogue: Catalogue,
        today: Callable[[], date],
        every_seconds: float = 300.0,
    ) -> None:
        self._uow, self._catalogue, self._today = uow, catalogue, today
        self._every = every_seconds
        self.health = Health()
        # Firms changed since then may have rows out of place: a day back at start-up (a roll-out
        # of the release before is shorter), then since the tick before.
        self._placed_since = datetime.now(UTC) - timedelta(days=1)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            with self._uow.read() as work:
                refresh(work, self._catalogue)
            try:
                with self._uow.begin() as work:
                    done = rematch_due(work, catalogue=self._catalogue, on=self._today())
            except StaleCatalogue:
                continue  # a measure was published or retired meanwhile: reload and start again
            started = datetime.now(UTC)
            with self._uow.begin() as work:  # apart: its row locks never wait on the re-match's
                placed = place_misplaced(
                    work, catalogue=self._catalogue, changed_since=self._placed_since
                )
            self._placed_since = started - PLACES_OVERLAP
            if placed:
                log.info("determinations put in their place", extra={"rows": placed})
            self.health.ok()
            for rematched in done:
                log.info(
                    "population re-matched",
                    extra={
                        "measure": rematched.measure_id,
                        "version": rematched.version,
                        "changed": rematched.changed,
                    },
                )
            stop.wait(self._every)


class Explainer:
    """The background pass: explains and publishes what re-matches stored, every few seconds,
    with the catalogue reloaded as each of its transactions starts (another instance's re-match
    may have stored changes under a version this one has not read yet)."""

    name = "eligibility-explainer"

    def __init__(self, *, uow: UnitOfWork, catalogue: Catalogue, every_seconds: float = 2.0):
        self._uow, self._catalogue, self._every = uow, catalogue, every_seconds
        self.health = Health()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            done = explain_pending(uow=self._uow, catalogue=self._catalogue, follow=True)
            self.health.ok()
            if done:
                log.info("re-match changes explained and announced", extra={"changes": done})
            stop.wait(self._every)


def workers(
    settings: ServiceSettings,
    uow: SqlUnitOfWork,
    catalogue: Catalogue,
    today: Callable[[], date],
) -> WorkerGroup:
    def on_profiles(connection: Connection, events: Sequence[Event]) -> None:
        work = uow.joined(connection)  # the consumer's transaction, one per polled batch
        profiles = [ProfileChanged.from_event(event) for event in events]
        handlers.profiles_changed(work, profiles, catalogue=catalogue, today=today)

    def on_profile(connection: Connection, event: Event) -> None:
        on_profiles(connection, [event])  # an event the batch failed on, alone

    def on_case(connection: Connection, event: Event) -> None:
        handlers.case_changed(uow.joined(connection), CaseChanged.from_event(event))

    transactions = Transactions(uow.engine)
    return WorkerGroup(
        [
            event_consumer(
                settings,
                transactions,
                backbone,
                [Subscription(PROFILE, on_profile, on_profiles), Subscription(CASE, on_case)],
                # A transaction a poll: a hundred firms' decisions hold the SQLite write lock for
                # well under a second, so the relay sends while a backlog is decided, and a
                # batch's decisions and events stay a few megabytes.
                max_poll_records=PROFILES_PER_BATCH,
            ),
            DailyTick(uow=uow, catalogue=catalogue, today=today),
            Explainer(uow=uow, catalogue=catalogue),
            outbox_relay(settings, transactions, backbone),
        ]
    )
