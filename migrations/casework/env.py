"""Alembic environment of casework (its own history and version table, in the portal's database)."""

from casework.adapters.tables import metadata
from supportmatch_core.migrate import run_env

run_env(metadata)
