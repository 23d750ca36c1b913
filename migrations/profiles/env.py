"""Alembic environment of the profiles service (its own history and version table)."""

from supportmatch_core.migrate import run_env

from profiles.adapters.tables import metadata

run_env(metadata)
