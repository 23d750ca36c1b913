"""Runs one service process: `python -m <service>` migrates then serves; flags split the two."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import TypeVar

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError
from pydantic_settings import SettingsError

from supportmatch_core.logs import configure_logging
from supportmatch_core.migrate import upgrade_to_head, wait_for_head
from supportmatch_core.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

log = logging.getLogger(__name__)


def main(settings_class: type[S], build_app: Callable[[S], FastAPI]) -> None:
    """The body of every service's `__main__`: read the flags and settings, then do one of
    migrate-and-serve (one machine), migrate only (a deploy's migration job), wait for the
    schema and serve (a replica: it never migrates, so replicas cannot race)."""
    service = settings_class.model_fields["service_name"].default
    parser = argparse.ArgumentParser(
        prog=f"python -m {service}",
        description=f"Migrate the {service} database to the latest schema, then serve its API "
        "and workers. In a deployment a migration job runs --migrate-only first and the "
        "replicas serve with --no-migrate.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--migrate-only", action="store_true", help="bring the database to the latest schema, exit"
    )
    mode.add_argument(
        "--no-migrate",
        action="store_true",
        help="serve without migrating, once the database has this release's schema",
    )
    mode.add_argument(
        "--wait-for-schema",
        action="store_true",
        help="wait until a migration job brought the database to this release's schema, exit",
    )
    args = parser.parse_args()
    settings = load_settings(settings_class)
    if args.wait_for_schema or args.migrate_only:
        configure_logging(settings.service_name, settings.log_level)
        if args.wait_for_schema:
            wait_for_head(settings.service_name, settings.database_url)
        else:
            upgrade_to_head(settings.service_name, settings.database_url)
        log.info("database at this release's schema")
        return
    serve(settings, build_app(settings), migrate=not args.no_migrate)


def load_settings(settings_class: type[S]) -> S:
    """The service's settings, or exit 2 with one line per problem; values are never echoed,
    as they may be secrets."""
    try:
        return settings_class()
    except ValidationError as error:
        problems = [_sentence(e["loc"], e["msg"]) for e in error.errors(include_input=False)]
    except SettingsError as error:
        problems = [str(error)]
    service = settings_class.model_fields["service_name"].default
    for problem in problems:
        print(f"{service}: cannot start: {problem}", file=sys.stderr)  # noqa: T201
    raise SystemExit(2)


def _sentence(location: tuple[int | str, ...], message: str) -> str:
    message = message.removeprefix("Value error, ")
    return f"{'.'.join(map(str, location))}: {message}" if location else message


def serve(settings: ServiceSettings, app: FastAPI, *, migrate: bool = True) -> None:
    """Migrate the service's database (unless told not to), then serve until SIGINT or SIGTERM."""
    configure_logging(settings.service_name, settings.log_level)
    if migrate:
        upgrade_to_head(settings.service_name, settings.database_url)
    log.info("serving", extra={"url": f"http://{settings.host}:{settings.port}"})
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run()
