"""Composition root of the notifications service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI

from notifications import worker
from notifications.adapters.unit_of_work import SqlUnitOfWork
from notifications.adapters.webhooks import WebhookSender
from notifications.api import routes_figures, routes_responses
from notifications.api.routes_notifications import caseworker_router, enterprise_router
from notifications.settings import NotificationsSettings
from supportmatch_core.db import create_database_engine
from supportmatch_core.web import Runtime, create_app


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_app(
    settings: NotificationsSettings | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    webhook_sender: WebhookSender | None = None,
) -> FastAPI:
    """The service; tests pass a clock and a webhook sender of their own."""
    settings = settings or NotificationsSettings()
    sender = webhook_sender or worker.webhook_sender(settings)
    app: FastAPI

    def runtime() -> Runtime:
        engine = create_database_engine(
            settings.database_url, pool_size=settings.database_pool_size
        )
        uow = SqlUnitOfWork(engine)
        app.state.uow = uow
        return Runtime(
            engine=engine, workers=worker.workers(settings, uow, clock=clock, sender=sender)
        )

    app = create_app(
        settings=settings,
        title="supportmatch notifications",
        routers=[
            enterprise_router,
            caseworker_router,
            routes_responses.router,
            routes_figures.router,
        ],
        build_runtime=runtime,
    )
    app.state.clock = clock
    app.state.webhook_sender = sender
    return app
