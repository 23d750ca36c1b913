"""Alembic environment of the eligibility service (its own history and version table)."""

from supportmatch_core.migrate import run_env

from eligibility.adapters.tables import metadata

run_env(metadata)
