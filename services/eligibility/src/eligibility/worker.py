"""Background work of the eligibility service: the profile consumer and the outbox relay."""

from __future__ import annotations

from eligibility.adapters.tables import backbone
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.clock import china_today
from eligibility.service import profile_changed_handler
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import PROFILE
from supportmatch_core.wiring import event_consumer, outbox_relay
from supportmatch_core.workers import WorkerGroup


def workers(settings: ServiceSettings, uow: UnitOfWork, catalogue: Catalogue) -> WorkerGroup:
    handler = profile_changed_handler(
        outbox=Outbox(backbone), catalogue=catalogue, today=china_today
    )
    return WorkerGroup(
        [
            event_consumer(settings, uow, backbone, topic=PROFILE, handler=handler),
            outbox_relay(settings, uow, backbone),
        ]
    )
