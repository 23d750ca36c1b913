"""Writers of one SQLite file in one process take turns: a thread that commits and begins again
at once (a consumer working through a backlog) cannot keep another (the outbox relay stamping
what it sent) from writing until it runs out of work."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from supportmatch_core.db import UnitOfWork, create_database_engine

BACKLOG = 100
STAMPS = 10
WORK_SECONDS = 0.02  # what deciding one firm holds the write lock for


def test_a_writer_beside_a_busy_one_writes_long_before_the_busy_one_is_done(
    tmp_path: Path,
) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    rows = Table("rows", MetaData(), Column("id", Integer, primary_key=True), Column("by", String))
    rows.metadata.create_all(engine)
    consumer, relay = (
        UnitOfWork(engine),
        UnitOfWork(engine),
    )  # two units on one file, as in a service
    consumer_done_when_relay_finished: list[int] = []
    started = threading.Event()

    def consume() -> None:
        for _ in range(BACKLOG):
            with consumer.begin() as connection:
                connection.execute(insert(rows).values(by="consumer"))
                started.set()
                time.sleep(WORK_SECONDS)

    def stamp() -> None:
        started.wait(5)
        for _ in range(STAMPS):
            with relay.begin() as connection:
                connection.execute(insert(rows).values(by="relay"))
        with relay.read() as connection:
            consumer_done_when_relay_finished.append(
                len(connection.execute(select(rows.c.id).where(rows.c.by == "consumer")).all())
            )

    threads = [threading.Thread(target=consume), threading.Thread(target=stamp)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    engine.dispose()
    assert consumer_done_when_relay_finished, "the relay's writes did not finish"
    # In turn, each of the relay's writes waits for at most one of the consumer's transactions.
    assert consumer_done_when_relay_finished[0] < BACKLOG / 2
