"""Background work of the notifications service: the determination consumer and the outbox relay."""

from __future__ import annotations

from notifications.adapters.tables import backbone
from notifications.service import on_eligibility_changed
from supportmatch_core.db import UnitOfWork
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import DETERMINATION
from supportmatch_core.wiring import event_consumer, outbox_relay
from supportmatch_core.workers import WorkerGroup


def workers(settings: ServiceSettings, uow: UnitOfWork) -> WorkerGroup:
    return WorkerGroup(
        [
            event_consumer(
                settings, uow, backbone, topic=DETERMINATION, handler=on_eligibility_changed
            ),
            outbox_relay(settings, uow, backbone),
        ]
    )
