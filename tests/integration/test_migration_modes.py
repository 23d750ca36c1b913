"""Migrations apart from serving: the deploy's migration job, replicas that wait for it and never
migrate, and migrators that take turns on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from supportmatch_core.db import create_database_engine
from supportmatch_core.migrate import schema_state, upgrade_to_head
from tests.conftest import Databases, free_port


def service_env(tmp_path: Path, url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PROFILES_DATABASE_URL": url,
        "SUPPORTMATCH_VAR_DIR": str(tmp_path),
        **extra,
    }


def test_the_schema_state_tells_behind_current_and_a_later_release(databases: Databases) -> None:
    url = databases.url("profiles")
    assert schema_state("profiles", url) == "behind"
    upgrade_to_head("profiles", url)
    assert schema_state("profiles", url) == "current"
    engine = create_database_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version_profiles SET version_num = 'f00dfeed'"))
    engine.dispose()
    assert schema_state("profiles", url) == "ahead"


def test_migrate_only_migrates_and_exits_and_wait_for_schema_then_returns_at_once(
    databases: Databases, tmp_path: Path
) -> None:
    url = databases.url("profiles")
    env = service_env(tmp_path, url)
    migrated = subprocess.run(
        [sys.executable, "-m", "profiles", "--migrate-only"],
        check=False,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr
    assert schema_state("profiles", url) == "current"
    waited = subprocess.run(
        [sys.executable, "-m", "profiles", "--wait-for-schema"],
        check=False,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert waited.returncode == 0, waited.stderr


def test_a_replica_started_with_no_migrate_serves_without_touching_the_schema(
    databases: Databases, tmp_path: Path
) -> None:
    url = databases.url("profiles")
    port = free_port()
    env = service_env(tmp_path, url, PROFILES_PORT=str(port), PROFILES_RUN_WORKERS="false")
    process = subprocess.Popen(
        [sys.executable, "-m", "profiles", "--no-migrate"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the replica did not start"
            time.sleep(0.2)
        assert schema_state("profiles", url) == "behind"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_service_whose_database_cannot_be_migrated_exits_saying_so_without_serving(
    databases: Databases, tmp_path: Path
) -> None:
    url = databases.url("profiles")
    upgrade_to_head("profiles", url)
    engine = create_database_engine(url)
    with engine.begin() as connection:  # a revision this code does not know
        connection.execute(text("UPDATE alembic_version_profiles SET version_num = 'f00dfeed'"))
    engine.dispose()
    port = free_port()
    served = subprocess.run(
        [sys.executable, "-m", "profiles"],
        env=service_env(tmp_path, url, PROFILES_PORT=str(port)),
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert served.returncode == 1
    assert "f00dfeed" in served.stdout + served.stderr  # the migrator's own reason
    assert "the database could not be migrated" in served.stdout + served.stderr
    assert '"serving"' not in served.stdout + served.stderr


@pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)
def test_migration_jobs_started_together_take_turns_on_postgresql(
    databases: Databases, tmp_path: Path
) -> None:
    url = databases.url("eligibility")
    env = {**os.environ, "ELIGIBILITY_DATABASE_URL": url, "SUPPORTMATCH_VAR_DIR": str(tmp_path)}
    jobs = [
        subprocess.Popen(
            [sys.executable, "-m", "eligibility", "--migrate-only"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for job in jobs:
        _, errors = job.communicate(timeout=180)
        assert job.returncode == 0, errors.decode()  # none fails on a table another created
    assert schema_state("eligibility", url) == "current"
