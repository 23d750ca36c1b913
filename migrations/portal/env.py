"""Alembic environment of the portal (its own history and version table)."""

from portal.adapters.tables import metadata
from supportmatch_core.migrate import run_env

run_env(metadata)
