"""Alembic environment of the notifications service (its own history and version table)."""

from supportmatch_core.migrate import run_env

from notifications.adapters.tables import metadata

run_env(metadata)
