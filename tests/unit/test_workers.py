"""Workers' health as /readyz reads it, restarts with backoff, and which database errors mean
"the database is away" (try later) rather than "this statement is wrong"."""

from __future__ import annotations

import sqlite3
import threading
import time

import psycopg
import pytest
from sqlalchemy import exc as sa_exc

from supportmatch_core import workers
from supportmatch_core.db import database_unavailable
from supportmatch_core.workers import Health, WorkerGroup


class Crashing:
    """Fails its first `crashes` runs, then runs healthily until stopped."""

    name = "crashing"

    def __init__(self, crashes: int) -> None:
        self.crashes, self.runs = crashes, 0
        self.health = Health()

    def run(self, stop: threading.Event) -> None:
        self.runs += 1
        if self.runs <= self.crashes:
            raise RuntimeError("the database went away")
        self.health.ok()
        stop.wait()


def wait_for(condition: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def test_a_healthy_worker_reads_ok() -> None:
    worker = Crashing(crashes=0)
    group = WorkerGroup([worker])
    group.start()
    try:
        assert wait_for(lambda: worker.runs == 1)
        assert group.health() == {"crashing": "ok"}
        assert group.ready()
    finally:
        group.stop()


def test_a_crashed_worker_reads_failing_with_why_and_is_started_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workers, "UNREADY_AFTER_SECONDS", 0.001)
    worker = Crashing(crashes=2)
    group = WorkerGroup([worker], max_backoff=0.05)
    group.start()
    try:
        assert wait_for(lambda: worker.runs >= 1)
        assert wait_for(lambda: not group.ready())
        assert "RuntimeError: the database went away" in group.health()["crashing"]
        assert wait_for(lambda: worker.runs == 3)  # started again twice, with backoff
        assert wait_for(group.ready)
        assert group.health() == {"crashing": "ok"}
    finally:
        group.stop()


def test_a_failure_only_just_now_does_not_make_the_service_unready() -> None:
    worker = Crashing(crashes=0)
    worker.health.failing("broker unreachable")
    group = WorkerGroup([worker])
    assert group.ready() is False  # not started: the threads are not alive
    group.start()
    try:
        assert wait_for(lambda: worker.runs == 1)
        worker.health.failing("broker unreachable")
        assert group.ready()  # within the grace of a few seconds
        assert group.health()["crashing"].startswith("failing for 0 s: broker unreachable")
    finally:
        group.stop()


def _dbapi(orig: Exception, cls: type[sa_exc.DBAPIError] = sa_exc.OperationalError) -> Exception:
    return cls("SELECT 1", {}, orig)


def _pg(sqlstate: str) -> Exception:
    """The psycopg error the server sends with `sqlstate`."""
    error: Exception = psycopg.errors.lookup(sqlstate)("server said so")
    return error


def _sqlite(code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("sqlite said so")
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    ("error", "away"),
    [
        (_dbapi(psycopg.OperationalError("connection refused")), True),  # no server answer
        (_dbapi(_pg("08006")), True),  # connection failure
        (_dbapi(_pg("57P01")), True),  # admin shutdown: a restart
        (_dbapi(_pg("53300")), True),  # too many connections
        (_dbapi(_pg("42P01"), sa_exc.ProgrammingError), False),  # undefined table
        (_dbapi(_pg("23505"), sa_exc.IntegrityError), False),  # unique violation
        (_dbapi(_pg("57014")), False),  # a cancelled statement, not an outage
        (_dbapi(_sqlite(5)), True),  # SQLITE_BUSY
        (_dbapi(_sqlite(5 | (3 << 8))), True),  # SQLITE_BUSY_SNAPSHOT keeps its base code
        (_dbapi(_sqlite(1)), False),  # SQLITE_ERROR: no such table and the like
        (sa_exc.TimeoutError("the pool is exhausted"), True),
        (sa_exc.PendingRollbackError("connection lost inside the transaction"), True),
        (ValueError("not a database error"), False),
    ],
)
def test_a_database_error_is_classified_by_class_sqlstate_and_code(
    error: Exception, away: bool
) -> None:
    assert database_unavailable(error) is away
