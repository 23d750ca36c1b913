"""Deleting outbox rows sent longer ago than the retention period, a batch per transaction.

A search by `sent_at` would read every row of the outbox (gigabytes at a population's scale)
while holding the write lock, and `sent_at` has no index (stamping each send would pay for one).
The pruner walks the outbox by its primary key instead, from the head, a batch per call. Rows
are written in id order, so the walk ends at the first row written after the horizon: no row
from there on can have been sent before it. A row that was never sent (a record the broker
keeps refusing) is stepped over and kept.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, and_, delete, select

from supportmatch_core.db import UnitOfWork
from supportmatch_core.metrics import RELAY_ERRORS

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Pruned:
    """One batch of the walk: rows deleted, and the id to go on after (None: the walk is done)."""

    deleted: int
    after: int | None


class OutboxPruner:
    """Walks the outbox once every `every_seconds`, a batch per `step()`: the relay calls it each
    round, so that publishing goes on between the batches."""

    def __init__(
        self,
        uow: UnitOfWork,
        outbox: Table,
        *,
        retention: timedelta,
        batch: int,
        every_seconds: float = 3600.0,
    ) -> None:
        self._uow, self._outbox = uow, outbox
        self._retention, self._batch, self._every = retention, batch, every_seconds
        self._after: int | None = None  # the walk's place; None between walks
        self._walked_at = float("-inf")  # so that the first round after a start walks

    @property
    def walking(self) -> bool:
        return self._after is not None

    def step(self) -> None:
        """Start a walk when one is due, or go on with the current one by a batch. A failure
        ends the walk (logged and counted as a relay error); the next is due an hour later, and
        publishing is never held up by it."""
        if self._after is None:
            if time.monotonic() - self._walked_at < self._every:
                return
            self._walked_at, self._after = time.monotonic(), 0
        try:
            self._after = self.prune(after=self._after).after
        except Exception:
            RELAY_ERRORS.inc()
            log.exception("pruning the outbox failed; it is tried again in an hour")
            self._after = None

    def prune(self, *, after: int = 0) -> Pruned:
        """Delete the expired rows among the batch of rows whose id follows `after`."""
        outbox = self._outbox
        horizon = datetime.now(UTC) - self._retention
        expired = and_(outbox.c.sent_at.is_not(None), outbox.c.sent_at < horizon)
        with self._uow.read() as connection:
            rows = connection.execute(
                select(
                    outbox.c.id,
                    expired.label("expired"),
                    (outbox.c.created_at < horizon).label("old"),
                )
                .where(outbox.c.id > after)
                .order_by(outbox.c.id)
                .limit(self._batch)
            ).all()
        ids = [row.id for row in rows if row.expired]
        deleted = 0
        if ids:
            # Checked again under the lock: a broker found empty meanwhile queues sent rows to be
            # sent again. Another replica pruning the same rows skips those this one holds.
            claimed = (
                select(outbox.c.id)
                .where(outbox.c.id.in_(ids), expired)
                .with_for_update(skip_locked=True)
            )
            with self._uow.begin() as connection:
                deleted = connection.execute(
                    delete(outbox).where(outbox.c.id.in_(claimed))
                ).rowcount
        done = len(rows) < self._batch or not rows[-1].old
        return Pruned(deleted, None if done else rows[-1].id)
