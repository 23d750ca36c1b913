"""The common shape of every service's HTTP app: problems, auth, metrics, health and workers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text

from supportmatch_core.auth import TokenService
from supportmatch_core.jwks import token_verifier
from supportmatch_core.metrics import HTTP_LATENCY, HTTP_REQUESTS
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
) -> FastAPI:
    """Assemble a service app; the runtime (engine, workers) is built at start-up, not import."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = build_runtime()
        app.state.runtime = runtime
        if settings.run_workers:
            runtime.workers.start()
        try:
            yield
        finally:
            runtime.workers.stop()
            runtime.engine.dispose()

    app = FastAPI(title=title, version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.tokens = TokenService(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience)
    app.state.verifier = token_verifier(settings)
    install_problem_handlers(app)
    app.middleware("http")(_measure)
    app.include_router(_operations_router())
    for router in routers:
        app.include_router(router)
    return app


async def _measure(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    route = getattr(request.scope.get("route"), "path", "unmatched")
    HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
    HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    return response


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        """The service can do its work: its database answers and each worker is healthy (the
        relay reaches the broker, consumers their database) or failed only just now."""
        runtime: Runtime = request.app.state.runtime
        checks: dict[str, object] = {"database": "ok"}
        ready = True
        try:
            with runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            checks["database"] = f"failed: {type(error).__name__}"
            ready = False
        if request.app.state.settings.run_workers:
            checks["workers"] = runtime.workers.health()
            ready = ready and runtime.workers.ready()
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics")
    def metrics() -> Response:
        """Prometheus metrics of this process."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
