"""Runs a service's Alembic history (migrations/<service>/) against its database."""

from __future__ import annotations

import logging
import time

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text

from supportmatch_core.db import create_database_engine
from supportmatch_core.paths import project_root

log = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that lets one migrator at a time into a database.
MIGRATION_LOCK_KEY = 0x5377_6D69  # "Swmi"


def alembic_config(service: str, database_url: str) -> Config:
    """The Alembic configuration of `service`, with its own version table."""
    folder = project_root() / "migrations" / service
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["version_table"] = f"alembic_version_{service}"
    return config


# Modules with tables and an Alembic history of their own inside a service's database (ADR 0028).
MODULES = {"portal": ("casework",)}


def histories(service: str) -> tuple[str, ...]:
    """The Alembic histories in `service`'s database: its own, then its modules'."""
    return (service, *MODULES.get(service, ()))


def upgrade_to_head(service: str, database_url: str) -> None:
    """Bring the service's schema (and its modules') up to date; safe to run on every start,
    and from several processes at once on PostgreSQL (they take turns)."""
    for history in histories(service):
        command.upgrade(alembic_config(history, database_url), "head")


def schema_state(service: str, database_url: str) -> str:
    """'current' (every history at this code's head), 'behind' (a migration is due) or 'ahead'
    (a later release migrated: by the one-release rule this code still works on it)."""
    states = {_history_state(history, database_url) for history in histories(service)}
    return "behind" if "behind" in states else "ahead" if "ahead" in states else "current"


def _history_state(service: str, database_url: str) -> str:
    config = alembic_config(service, database_url)
    scripts = ScriptDirectory.from_config(config)
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": config.attributes["version_table"]}
            )
            revisions = set(context.get_current_heads())
    finally:
        engine.dispose()
    if revisions == set(scripts.get_heads()):
        return "current"
    known = {script.revision for script in scripts.walk_revisions()}
    return "ahead" if revisions and not revisions <= known else "behind"


def wait_for_head(service: str, database_url: str, *, poll_seconds: float = 2.0) -> None:
    """Return once the database has this code's schema or a later one; until then, wait for
    the migration job (forever: the orchestrator's deadline decides)."""
    said = False
    while (state := _state_or_unreachable(service, database_url)) not in ("current", "ahead"):
        if not said:
            log.info("waiting for the migration job", extra={"schema": state})
            said = True
        time.sleep(poll_seconds)


def _state_or_unreachable(service: str, database_url: str) -> str:
    try:
        return schema_state(service, database_url)
    except Exception as error:  # the database may still be starting
        log.warning("database not reachable yet", extra={"error": type(error).__name__})
        return "unreachable"


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's Alembic env.py (online mode; offline SQL is not supported)."""
    from alembic import context

    config = context.config
    connectable = create_database_engine(config.get_main_option("sqlalchemy.url") or "")
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=config.attributes.get("version_table", "alembic_version"),
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Held to the commit: a second migrator waits, then finds the schema at head.
                connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"))
            context.run_migrations()
    connectable.dispose()
