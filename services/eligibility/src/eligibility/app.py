"""Composition root of the eligibility service."""

from __future__ import annotations

from fastapi import FastAPI

from eligibility import lifecycle, worker
from eligibility.adapters.tables import backbone
from eligibility.api import checks, determinations, measures, measures_admin
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.measures import shipped_documents
from eligibility.settings import EligibilitySettings
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.outbox import Outbox
from supportmatch_core.web import Runtime, create_app


def build_app(settings: EligibilitySettings | None = None) -> FastAPI:
    settings = settings or EligibilitySettings()
    app: FastAPI

    def runtime() -> Runtime:
        engine = create_database_engine(settings.database_url)
        uow = UnitOfWork(engine)
        # The shipped files seed the catalogue; what administrators published is kept beside them.
        lifecycle.seed(uow=uow, outbox=Outbox(backbone), documents=shipped_documents())
        catalogue = Catalogue([], revision=-1)
        with uow.read() as connection:
            lifecycle.refresh(connection, catalogue)
        app.state.catalogue = catalogue
        return Runtime(engine=engine, workers=worker.workers(settings, uow, catalogue))

    app = create_app(
        settings=settings,
        title="supportmatch eligibility",
        # The admin routes first: /v1/measures/drafts is not a measure called "drafts".
        routers=[determinations.router, measures_admin.router, measures.router, checks.router],
        build_runtime=runtime,
        public_paths=["/v1/checks"],
    )
    return app
