"""Stopping `make run` in the middle of a stream of writes and starting it again loses nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import httpx

from tests.e2e.system import RunningSystem
from tests.factories import enterprise_payload


def _usccs(database: Path, query: str) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute(query)}


def _delivered_while_progressing(inboxes: Path, stored: set[str]) -> set[str]:
    """The firms whose inboxes have entries, read until all have or none is added for 30 s: a
    busy machine catching up after the restart is slow, a lost event never arrives."""
    delivered: set[str] = set()
    last_progress = time.monotonic()
    while time.monotonic() - last_progress < 30:
        now_delivered = _usccs(inboxes, "SELECT uscc FROM inbox_entries")
        if now_delivered >= stored:
            return now_delivered
        if len(now_delivered) > len(delivered):
            last_progress = time.monotonic()
        delivered = now_delivered
        time.sleep(0.5)
    return delivered


def test_restart_in_the_middle_of_writes_loses_no_event(tmp_path: Path) -> None:
    system = RunningSystem(tmp_path / "var")
    system.start()
    admin = {"Authorization": f"Bearer {system.token('--role', 'admin')}"}
    accepted: list[str] = []
    stop_writing = threading.Event()

    def write() -> None:
        with httpx.Client(base_url=system.url("profiles"), headers=admin, timeout=5) as client:
            while not stop_writing.is_set():
                body = enterprise_payload()
                try:
                    if client.post("/v1/enterprises", json=body).status_code == 201:
                        accepted.append(body["uscc"])
                except httpx.HTTPError:
                    time.sleep(0.05)  # the system is stopping or starting

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(accepted) < 150:
            time.sleep(0.05)
        assert system.stop() == 0  # Ctrl-C while writes keep arriving
        before_restart = len(accepted)
        system.start()
        while len(accepted) < before_restart + 50:
            time.sleep(0.05)
    finally:
        stop_writing.set()
        writer.join()

    var = system.var_dir
    stored = _usccs(var / "profiles.sqlite3", "SELECT uscc FROM enterprises")
    assert set(accepted) <= stored
    delivered = _delivered_while_progressing(var / "notifications.sqlite3", stored)
    system.stop()
    assert stored - delivered == set(), (
        f"{len(stored - delivered)} enterprises never reached the inbox"
    )
    with sqlite3.connect(var / "eligibility.sqlite3") as connection:
        (told,) = connection.execute(
            "SELECT count(*) FROM determination_history"
            " WHERE NOT (status = 'ineligible' AND previous_status IS NULL)"
        ).fetchone()
        (decided,) = connection.execute(
            "SELECT count(DISTINCT uscc) FROM enterprise_facts"
        ).fetchone()
    with sqlite3.connect(var / "notifications.sqlite3") as connection:
        (entries,) = connection.execute("SELECT count(*) FROM inbox_entries").fetchone()
    assert decided == len(stored)
    assert entries == told, "one inbox entry per change worth telling, no duplicates"
    log = system.log.read_text()
    assert "publishing retained outbox events again" in log, (
        "the relays should notice the new broker"
    )
    print(
        f"accepted {len(accepted)} writes across the restart, {len(stored)} stored, all delivered once"
    )
