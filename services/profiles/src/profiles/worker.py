"""Background work of the profiles service: the outbox relay."""

from __future__ import annotations

from profiles.adapters.tables import backbone
from supportmatch_core.db import UnitOfWork
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.wiring import outbox_relay
from supportmatch_core.workers import WorkerGroup


def workers(settings: ServiceSettings, uow: UnitOfWork) -> WorkerGroup:
    return WorkerGroup([outbox_relay(settings, uow, backbone)])
