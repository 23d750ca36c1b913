"""Composition root of the eligibility service."""

from __future__ import annotations

from fastapi import FastAPI

from eligibility import worker
from eligibility.api import checks, determinations, measures
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.measures import load_catalogue
from eligibility.settings import EligibilitySettings
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.web import Runtime, create_app


def build_app(settings: EligibilitySettings | None = None) -> FastAPI:
    settings = settings or EligibilitySettings()
    app: FastAPI

    def runtime() -> Runtime:
        catalogue = Catalogue(load_catalogue())
        app.state.catalogue = catalogue
        engine = create_database_engine(settings.database_url)
        return Runtime(
            engine=engine, workers=worker.workers(settings, UnitOfWork(engine), catalogue)
        )

    app = create_app(
        settings=settings,
        title="supportmatch eligibility",
        routers=[determinations.router, measures.router, checks.router],
        build_runtime=runtime,
    )
    return app
