"""The common shape of every service's HTTP app: problems, auth, metrics, health and workers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text

from supportmatch_core.auth import TokenService
from supportmatch_core.db import UnitOfWork
from supportmatch_core.docs import install_offline_docs
from supportmatch_core.jwks import token_verifier
from supportmatch_core.limits import BodyLimit
from supportmatch_core.metrics import MeasureRequests
from supportmatch_core.openapi import document_problems
from supportmatch_core.problems import install_problem_handlers
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.workers import WorkerGroup


@dataclass
class Runtime:
    """What a running service holds: its engine and its background workers."""

    engine: Engine
    workers: WorkerGroup = field(default_factory=lambda: WorkerGroup([]))


def create_app(
    *,
    settings: ServiceSettings,
    title: str,
    routers: list[APIRouter],
    build_runtime: Callable[[], Runtime],
    public_paths: Collection[str] = (),
    upload_paths: Collection[str] = (),
) -> FastAPI:
    """Assemble a service app; the runtime (engine, workers) is built at start-up, not import.

    Request bodies are capped by the settings: `public_paths` (open without a token) take the
    smallest, `upload_paths` (files) the largest, every other path the default.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Sync routes run on anyio's threads: as many at once as the settings say (anyio's 40
        # contend for one interpreter and outnumber the database pool).
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        runtime = build_runtime()
        app.state.runtime = runtime
        if settings.run_workers:
            runtime.workers.start()
        try:
            yield
        finally:
            runtime.workers.stop()
            runtime.engine.dispose()

    app = FastAPI(title=title, version="1", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_offline_docs(app)
    app.state.settings = settings
    app.state.tokens = TokenService(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience)
    app.state.verifier = token_verifier(settings)
    install_problem_handlers(app)
    limits = dict.fromkeys(public_paths, settings.max_public_body_bytes)
    limits |= dict.fromkeys(upload_paths, settings.max_upload_bytes)
    # The last added runs first: requests are measured, then their bodies capped.
    app.add_middleware(BodyLimit, default=settings.max_body_bytes, limits=limits)
    app.add_middleware(MeasureRequests)
    app.include_router(_operations_router())
    for router in routers:
        app.include_router(router)
    document_problems(app)
    return app


_READY = {
    "type": "object",
    "required": ["ready", "checks"],
    "properties": {"ready": {"type": "boolean"}, "checks": {"type": "object"}},
}


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @router.get(
        "/readyz",
        responses={
            200: {"description": "Ready", "content": {"application/json": {"schema": _READY}}},
            503: {"description": "Not ready", "content": {"application/json": {"schema": _READY}}},
        },
    )
    def readyz(request: Request) -> JSONResponse:
        """The service can do its work: its database answers and each worker is healthy (the
        relay reaches the broker, consumers their database) or failed only just now."""
        runtime: Runtime = request.app.state.runtime
        checks: dict[str, object] = {"database": "ok"}
        ready = True
        try:
            # Read-only: on SQLite a write transaction (a long prune, a re-match) must not make
            # the service look unready while it can still answer.
            with UnitOfWork(runtime.engine).read() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            checks["database"] = f"failed: {type(error).__name__}"
            ready = False
        if request.app.state.settings.run_workers:
            checks["workers"] = runtime.workers.health()
            ready = ready and runtime.workers.ready()
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get(
        "/metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
    )
    def metrics() -> Response:
        """Prometheus metrics of this process."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
