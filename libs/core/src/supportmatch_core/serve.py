"""Runs one service process: `python -m <service>` migrates then serves; flags split the two.

The serving process never imports Alembic: it migrates through `python -m <service>
--migrate-only` in a child process that exits when done, which keeps Alembic and the migration
scripts (about 10 MB) out of the resident memory of every service for its whole life (ADR 0033).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError
from pydantic_settings import SettingsError

from supportmatch_core.allocator import hold_memory_lightly
from supportmatch_core.logs import configure_logging
from supportmatch_core.settings import ServiceSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

S = TypeVar("S", bound=ServiceSettings)

log = logging.getLogger(__name__)


def main(settings_class: type[S], app_factory: str) -> None:
    """The body of every service's `__main__`: read the flags and settings, then do one of
    migrate-and-serve (one machine), migrate only (a deploy's migration job), wait for the
    schema and serve (a replica: it never migrates, so replicas cannot race). `app_factory`
    ("module:function") is imported only to serve, so that migrating alone stays light."""
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
    hold_memory_lightly()  # before the threads start and the app's modules load
    leave_out_unused_modules()
    settings = load_settings(settings_class)
    if args.wait_for_schema or args.migrate_only:
        from supportmatch_core.migrate import upgrade_to_head, wait_for_head

        configure_logging(settings.service_name, settings.log_level)
        if args.wait_for_schema:
            wait_for_head(settings.service_name, settings.database_url)
        else:
            upgrade_to_head(settings.service_name, settings.database_url)
        log.info("database at this release's schema")
        return
    configure_logging(settings.service_name, settings.log_level)
    if not args.no_migrate:
        migrate_in_child(service)
    module, function = app_factory.split(":")
    build_app: Callable[[S], FastAPI] = getattr(importlib.import_module(module), function)
    serve(settings, build_app(settings))


def leave_out_unused_modules() -> None:
    """httpx loads its command-line client (with rich and pygments, 4 MB in each process)
    whenever those are installed, as the `supportmatch` command's typer installs them; no
    service uses it. None in sys.modules is how Python is told a module cannot be imported."""
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def migrate_in_child(service: str) -> None:
    """`python -m <service> --migrate-only` with this process's environment, or exit 1 saying
    so: the child logs what went wrong itself."""
    migrated = subprocess.run([sys.executable, "-m", service, "--migrate-only"], check=False)
    if migrated.returncode != 0:
        log.error("the database could not be migrated", extra={"exit_code": migrated.returncode})
        raise SystemExit(1)


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


def serve(settings: ServiceSettings, app: FastAPI) -> None:
    """Serve `app` until SIGINT or SIGTERM."""
    import uvicorn  # here: the migration child never serves

    log.info("serving", extra={"url": f"http://{settings.host}:{settings.port}"})
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    # What is loaded by now lives as long as the process: kept out of the collector's passes,
    # full collections stay cheap and come often, so that the reference cycles requests leave
    # are freed within a few hundred requests, not thousands (ADR 0035). The last collection
    # counts the long-lived objects afresh: none, once frozen.
    gc.collect()
    gc.freeze()
    gc.collect()
    uvicorn.Server(config).run()
