"""Runs one service process: JSON logs, migrations to head, then the API with its workers."""

from __future__ import annotations

import logging

import uvicorn
from fastapi import FastAPI

from supportmatch_core.logs import configure_logging
from supportmatch_core.migrate import upgrade_to_head
from supportmatch_core.settings import ServiceSettings


def serve(settings: ServiceSettings, app: FastAPI) -> None:
    """Migrate the service's database, then serve until SIGINT or SIGTERM."""
    configure_logging(settings.service_name, settings.log_level)
    upgrade_to_head(settings.service_name, settings.database_url)
    logging.getLogger(__name__).info(
        "serving", extra={"url": f"http://{settings.host}:{settings.port}"}
    )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run()
