"""Alembic environment of the notifications service (its own history and version table)."""

from notifications.adapters.tables import metadata
from supportmatch_core.migrate import run_env

run_env(metadata)
