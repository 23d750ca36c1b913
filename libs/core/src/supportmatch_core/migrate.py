"""Runs a service's Alembic history (migrations/<service>/) against its database at start-up."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

from supportmatch_core.db import create_database_engine
from supportmatch_core.paths import project_root


def alembic_config(service: str, database_url: str) -> Config:
    """The Alembic configuration of `service`, with its own version table."""
    folder = project_root() / "migrations" / service
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["version_table"] = f"alembic_version_{service}"
    return config


def upgrade_to_head(service: str, database_url: str) -> None:
    """Bring the service's schema up to date; safe to run on every start."""
    command.upgrade(alembic_config(service, database_url), "head")


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
            context.run_migrations()
    connectable.dispose()
