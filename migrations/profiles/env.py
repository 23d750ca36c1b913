"""Alembic environment of the profiles service (its own history and version table)."""

from profiles.adapters.tables import metadata
from supportmatch_core.migrate import run_env

run_env(metadata)
