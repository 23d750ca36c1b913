"""Composition root of the profiles service."""

from __future__ import annotations

from fastapi import FastAPI

from profiles import worker
from profiles.adapters.unit_of_work import SqlUnitOfWork
from profiles.api import routes_enterprises, routes_facts, routes_imports, routes_size
from profiles.settings import ProfilesSettings
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.web import Runtime, create_app


def build_app(settings: ProfilesSettings | None = None) -> FastAPI:
    settings = settings or ProfilesSettings()
    app: FastAPI

    def runtime() -> Runtime:
        engine = create_database_engine(
            settings.database_url, pool_size=settings.database_pool_size
        )
        app.state.uow = SqlUnitOfWork(engine)
        return Runtime(engine=engine, workers=worker.workers(settings, UnitOfWork(engine)))

    app = create_app(
        settings=settings,
        title="supportmatch profiles",
        routers=[
            routes_enterprises.router,
            routes_facts.router,
            routes_size.router,
            routes_imports.router,
        ],
        build_runtime=runtime,
        public_paths=["/v1/size-classification"],
        upload_paths=["/v1/imports"],
    )
    return app
