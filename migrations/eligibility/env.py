"""Alembic environment of the eligibility service (its own history and version table)."""

from eligibility.adapters.tables import metadata
from supportmatch_core.migrate import run_env

run_env(metadata)
