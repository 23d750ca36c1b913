"""The outbox relay: publishes pending outbox rows with acks=all and stamps only confirmed sends."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import Connection, Row, event, func, insert, select, update

from supportmatch_core.db import UnitOfWork, is_postgres
from supportmatch_core.events import CONTENT_TYPE
from supportmatch_core.kafka import cluster_id, ensure_topics
from supportmatch_core.metrics import (
    OUTBOX_PENDING,
    OUTBOX_PUBLISHED,
    OUTBOX_REPUBLISHED,
    RELAY_ERRORS,
)
from supportmatch_core.outbox import WRITTEN
from supportmatch_core.pruning import OutboxPruner
from supportmatch_core.schema import BackboneTables
from supportmatch_core.topics import all_topics
from supportmatch_core.workers import Health

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 1.0  # the longest wait between two looks at an outbox nothing wrote to


class OutboxRelay:
    """Moves outbox rows to Kafka. Kafka down means rows wait; a new, empty broker gets them again."""

    def __init__(
        self,
        *,
        name: str,
        uow: UnitOfWork,
        tables: BackboneTables,
        producer_factory: Callable[[], KafkaProducer],
        admin_factory: Callable[[], KafkaAdminClient],
        poll_seconds: float = 0.2,
        batch_size: int = 500,
        retention: timedelta = timedelta(days=7),
        epoch_check_seconds: float = 1.0,
        create_topics: Callable[[KafkaAdminClient], object] = lambda admin: ensure_topics(
            admin, all_topics()
        ),
    ) -> None:
        self.name = name
        self._uow = uow
        self._tables = tables
        self._producer_factory = producer_factory
        self._admin_factory = admin_factory
        self._poll = poll_seconds
        self._batch = batch_size
        self._retention = retention
        self._epoch_check = epoch_check_seconds
        self._create_topics = create_topics
        self._producer: KafkaProducer | None = None
        self._admin: KafkaAdminClient | None = None
        self._last_epoch_check = 0.0
        # The cluster id stored, once this replica has read or written it. A broker that comes
        # back with an id this replica holds (X, then Y seen only by another replica, then X) is
        # not noticed; only the embedded broker changes its id, and it runs one replica.
        self._cluster: str | None = None
        self._pruner = OutboxPruner(uow, tables.outbox, retention=retention, batch=batch_size)
        self.health = Health()
        self._backlog_shown = False  # the gauge shows waiting rows: count again until none
        # Counting a large backlog costs as much as sending a batch: while full batches go out,
        # the gauge is counted once a second.
        self._counted_at = 0.0
        self._count_every = 1.0
        # A commit that wrote outbox rows in this process wakes the relay at once; rows written
        # by other processes (the import command) are found by polling.
        self._wakeup = threading.Event()
        event.listen(uow.engine, "commit", self._on_commit)
        event.listen(uow.engine, "rollback", self._on_rollback)

    def _on_commit(self, connection: Connection) -> None:
        if connection.info.pop(WRITTEN, False):
            self._wakeup.set()

    def _on_rollback(self, connection: Connection) -> None:
        connection.info.pop(WRITTEN, None)

    def run(self, stop: threading.Event) -> None:
        backoff = idle = self._poll
        while not stop.is_set():
            try:
                self._check_cluster()
                self._pruner.step()
                self._wakeup.clear()
                published = self.publish_pending()
                self.health.ok()
                backoff = self._poll
                if published < self._batch and not self._pruner.walking:
                    # A commit of this process wakes the relay at once. Rows that other
                    # processes write (an import) are polled for, less often while none come.
                    woken = self._wakeup.wait(idle)
                    idle = self.next_wait(idle, busy=bool(published or woken))
            except (KafkaError, OSError) as error:
                RELAY_ERRORS.inc()
                self.health.failing(f"broker unreachable: {error!r}")
                log.warning("broker unavailable; outbox events wait", extra={"error": repr(error)})
                self._close_clients()
                self._record_backlog_if_possible()
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            except Exception as error:
                RELAY_ERRORS.inc()
                self.health.failing(f"relay round failed: {type(error).__name__}: {error}")
                log.exception("outbox relay round failed")
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
        self._close_clients()

    def next_wait(self, wait: float, *, busy: bool) -> float:
        """The wait before the next look at the outbox: the poll interval after work, doubling
        while nothing comes, to IDLE_POLL_SECONDS (or the poll interval, if that is longer)."""
        return self._poll if busy else min(wait * 2, max(self._poll, IDLE_POLL_SECONDS))

    def _check_cluster(self) -> None:
        """Queue sent events again when the broker is a different cluster than last time."""
        now = time.monotonic()
        if now - self._last_epoch_check < self._epoch_check:
            return
        if self._admin is None:
            self._admin = self._admin_factory()
        current = cluster_id(self._admin)
        self._last_epoch_check = now
        if current == self._cluster:
            return  # the cluster this relay last stored: nothing to read or write
        state = self._tables.relay_state
        with self._uow.begin() as connection:
            known = connection.execute(
                select(state.c.cluster_id).where(state.c.relay == self.name)
            ).scalar_one_or_none()
            if known == current:
                self._cluster = current
                return
            self._create_topics(self._admin)
            requeued = self._requeue_sent(connection) if known is not None else 0
            values = {"cluster_id": current, "updated_at": datetime.now(UTC)}
            if known is None:
                connection.execute(insert(state).values(relay=self.name, **values))
            else:
                connection.execute(update(state).where(state.c.relay == self.name).values(values))
        self._cluster = current
        if known is not None:
            OUTBOX_REPUBLISHED.inc(requeued)
            log.warning(
                "broker cluster changed; publishing retained outbox events again",
                extra={"previous": known, "current": current, "requeued": requeued},
            )

    def _requeue_sent(self, connection: Connection) -> int:
        outbox = self._tables.outbox
        horizon = datetime.now(UTC) - self._retention
        result = connection.execute(
            update(outbox)
            .where(outbox.c.sent_at.is_not(None), outbox.c.created_at >= horizon)
            .values(sent_at=None)
        )
        return result.rowcount

    def publish_pending(self) -> int:
        """Publish one batch of pending rows; returns how many the broker confirmed."""
        if is_postgres(self._uow.engine):
            # Claim with SKIP LOCKED so several relays of one service never send the same row twice.
            with self._uow.begin() as connection:
                rows = self._pending(connection, lock=True)
                confirmed, failure = self._send(rows)
                self._stamp(connection, confirmed)
        else:
            # SQLite has one writer: never hold its lock while waiting for the broker.
            with self._uow.read() as connection:
                rows = self._pending(connection, lock=False)
            confirmed, failure = self._send(rows)
            with self._uow.begin() as connection:
                self._stamp(connection, confirmed)
        full = len(rows) == self._batch
        if (rows or self._backlog_shown) and not (full and self._counted_recently()):
            self._record_backlog()
        if failure is not None:
            raise failure
        return len(confirmed)

    def _pending(self, connection: Connection, *, lock: bool) -> list[Row[Any]]:
        outbox = self._tables.outbox
        query = (
            select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.payload)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.id)
            .limit(self._batch)
        )
        if lock:
            query = query.with_for_update(skip_locked=True)
        return list(connection.execute(query))

    def _send(self, rows: list[Row[Any]]) -> tuple[list[int], KafkaError | None]:
        """Send rows in order; returns the ids the broker confirmed and the first failure."""
        if not rows:
            return [], None
        if self._producer is None:
            self._producer = self._producer_factory()
        headers = [("content-type", CONTENT_TYPE.encode())]
        futures = []
        failure: KafkaError | None = None
        for row in rows:
            try:
                futures.append(
                    (
                        row.id,
                        self._producer.send(
                            row.topic,
                            key=row.key.encode(),
                            value=row.payload.encode(),
                            headers=headers,
                        ),
                    )
                )
            except KafkaError as error:
                failure = error
                break
        self._producer.flush(timeout=15)
        confirmed = []
        for row_id, future in futures:
            # A send is confirmed only by its own result; flush() returning proves nothing.
            try:
                future.get(timeout=0)
                confirmed.append(row_id)
            except KafkaError as error:
                failure = failure or error
        OUTBOX_PUBLISHED.inc(len(confirmed))
        return confirmed, failure

    def _stamp(self, connection: Connection, ids: list[int]) -> None:
        if not ids:
            return
        outbox = self._tables.outbox
        now = datetime.now(UTC)
        for start in range(0, len(ids), 500):
            connection.execute(
                update(outbox).where(outbox.c.id.in_(ids[start : start + 500])).values(sent_at=now)
            )

    def _counted_recently(self) -> bool:
        return time.monotonic() - self._counted_at < self._count_every

    def _record_backlog(self) -> None:
        outbox = self._tables.outbox
        with self._uow.read() as connection:
            pending = connection.execute(
                select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
            ).scalar_one()
        OUTBOX_PENDING.set(pending)
        self._backlog_shown = pending > 0
        self._counted_at = time.monotonic()

    def _record_backlog_if_possible(self) -> None:
        """Count what waits while the broker is away (the database may be away too)."""
        try:
            self._record_backlog()
        except Exception:
            log.debug("cannot count the outbox backlog", exc_info=True)

    def _close_clients(self) -> None:
        try:
            if self._producer is not None:
                self._producer.close(timeout=1)
            if self._admin is not None:
                self._admin.close()
        except Exception:
            log.debug("closing a Kafka client failed", exc_info=True)
        self._producer = None
        self._admin = None
