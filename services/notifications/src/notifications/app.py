"""Composition root of the notifications service."""

from __future__ import annotations

from fastapi import FastAPI

from notifications import worker
from notifications.api.routes import router
from notifications.settings import NotificationsSettings
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.web import Runtime, create_app


def build_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()

    def runtime() -> Runtime:
        engine = create_database_engine(settings.database_url)
        return Runtime(engine=engine, workers=worker.workers(settings, UnitOfWork(engine)))

    return create_app(
        settings=settings,
        title="supportmatch notifications",
        routers=[router],
        build_runtime=runtime,
    )
