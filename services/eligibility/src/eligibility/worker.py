"""Background work of the eligibility service: the profile consumer, the daily tick, the relay."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection

from eligibility.adapters.tables import backbone
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.clock import china_today
from eligibility.explaining import Explainer
from eligibility.lifecycle import CurrentCatalogue, FollowingCatalogue, StaleCatalogue, refresh
from eligibility.population import rematch_due
from eligibility.service import profile_changed_handler
from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import PROFILE
from supportmatch_core.wiring import event_consumer, outbox_relay
from supportmatch_core.workers import Health, WorkerGroup

log = logging.getLogger(__name__)


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

    def run(self, stop: threading.Event) -> None:
        current = CurrentCatalogue(self._uow, self._catalogue)
        while not stop.is_set():
            with self._uow.read() as connection:
                refresh(connection, self._catalogue)
            try:
                done = rematch_due(
                    uow=current,
                    outbox=Outbox(backbone),
                    catalogue=self._catalogue,
                    on=self._today(),
                )
            except StaleCatalogue:
                continue  # a measure was published or retired meanwhile: reload and start again
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


def workers(settings: ServiceSettings, uow: UnitOfWork, catalogue: Catalogue) -> WorkerGroup:
    decide = profile_changed_handler(
        outbox=Outbox(backbone), catalogue=catalogue, today=china_today
    )

    def handler(connection: Connection, event: Event) -> None:
        # Decide with the catalogue in force: a publish elsewhere waits for this, or this for it.
        refresh(connection, catalogue, hold=True)
        decide(connection, event)

    return WorkerGroup(
        [
            event_consumer(settings, uow, backbone, topic=PROFILE, handler=handler),
            DailyTick(uow=uow, catalogue=catalogue, today=china_today),
            Explainer(uow=FollowingCatalogue(uow, catalogue), catalogue=catalogue),
            outbox_relay(settings, uow, backbone),
        ]
    )
