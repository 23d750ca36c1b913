"""Composition root of the eligibility service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import FastAPI

from eligibility import worker
from eligibility.adapters.unit_of_work import SqlUnitOfWork
from eligibility.api import (
    routes_checks,
    routes_determinations,
    routes_drafts,
    routes_measures,
    routes_queue,
)
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.clock import china_today
from eligibility.domain.measures import shipped_documents
from eligibility.settings import EligibilitySettings
from eligibility.use_cases.catalogue import refresh
from eligibility.use_cases.publish import seed
from supportmatch_core.db import create_database_engine
from supportmatch_core.web import Runtime, create_app


def build_app(
    settings: EligibilitySettings | None = None, *, today: Callable[[], date] = china_today
) -> FastAPI:
    """The service; `today` is the evaluation day's clock (tests hold it on one day)."""
    settings = settings or EligibilitySettings()
    app: FastAPI

    def runtime() -> Runtime:
        engine = create_database_engine(
            settings.database_url, pool_size=settings.database_pool_size
        )
        uow = SqlUnitOfWork(engine)
        # The shipped files seed the catalogue; what administrators published is kept beside them.
        with uow.begin() as work:
            seed(work, documents=shipped_documents())
        catalogue = Catalogue([], revision=-1)
        with uow.read() as work:
            refresh(work, catalogue)
        app.state.uow, app.state.catalogue = uow, catalogue
        return Runtime(engine=engine, workers=worker.workers(settings, uow, catalogue, today))

    app = create_app(
        settings=settings,
        title="supportmatch eligibility",
        # The admin routes first: /v1/measures/drafts is not a measure called "drafts".
        routers=[
            routes_determinations.router,
            routes_drafts.router,
            routes_measures.router,
            routes_queue.router,
            routes_checks.router,
        ],
        build_runtime=runtime,
        public_paths=["/v1/checks"],
    )
    app.state.today = today
    return app
