"""Composition root of the profiles service."""

from __future__ import annotations

from fastapi import FastAPI

from profiles import worker
from profiles.api import enterprises, imports, size_routes, subresources
from profiles.settings import ProfilesSettings
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.web import Runtime, create_app


def build_app(settings: ProfilesSettings | None = None) -> FastAPI:
    settings = settings or ProfilesSettings()

    def runtime() -> Runtime:
        engine = create_database_engine(settings.database_url)
        return Runtime(engine=engine, workers=worker.workers(settings, UnitOfWork(engine)))

    return create_app(
        settings=settings,
        title="supportmatch profiles",
        routers=[enterprises.router, subresources.router, size_routes.router, imports.router],
        build_runtime=runtime,
        public_paths=["/v1/size-classification"],
        upload_paths=["/v1/imports"],
    )
