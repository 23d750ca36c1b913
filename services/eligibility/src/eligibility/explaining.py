"""Explaining the determinations a population re-match stored by status alone, and announcing them.

A re-match decides in SQL and stores statuses with facts digest PENDING (ADR 0011). Until the
firm's facts change, those facts are the ones the status was decided on, so `decide()` with the
recorded measure version and day gives the same status and its explanation. Whatever changes a
firm's facts completes its pending rows first (`complete_firm`).

A first decision (no row before, measure never decided) is stored without a history row, marked
`unrecorded`; its history row and event are written here, when it is explained.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    insert,
    null,
    or_,
    select,
    true,
    update,
)

from eligibility.adapters.tables import (
    FIRMS_PER_RANGE,
    backbone,
    determination_history,
    determinations,
    enterprise_facts,
    unrecorded_ranges,
)
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Decision, Status, decide
from eligibility.domain.events import eligibility_changed
from eligibility.domain.measures import Measure
from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.topics import DETERMINATION
from supportmatch_core.workers import Health

log = logging.getLogger(__name__)

PENDING = ""  # the facts digest of a determination stored without its explanation
UNEXPLAINABLE = "unexplainable"  # its measure version is gone or now decides otherwise

_h, _d, _f = determination_history.c, determinations.c, enterprise_facts.c
_q = unrecorded_ranges.c
_HISTORY = update(determination_history).where(_h.id == bindparam("key_id"))
_RECORD = insert(determination_history)
_DETERMINATION = update(determinations).where(
    _d.uscc == bindparam("key_uscc"),
    _d.measure_id == bindparam("key_measure"),
    _d.measure_version == bindparam("key_version"),
    _d.status == bindparam("key_status"),
    _d.evaluated_on == bindparam("key_on"),
    _d.facts_digest == PENDING,
)


def measure_version(catalogue: Catalogue, measure_id: str, version: int) -> Measure | None:
    return next((m for m in catalogue.versions(measure_id) if m.version == version), None)


def explain(catalogue: Catalogue, facts: Mapping[str, Any], row: Any) -> Decision | None:
    """The decision behind a stored row (measure_id, measure_version, status, evaluated_on)."""
    measure = measure_version(catalogue, row.measure_id, row.measure_version)
    decision = None if measure is None else decide(measure, facts, row.evaluated_on)
    if decision is None or decision.status.value != row.status:
        log.error(
            "a stored determination cannot be explained",
            extra={"measure": row.measure_id, "version": row.measure_version},
        )
        return None
    return decision


def explain_pending(
    *, uow: UnitOfWork, outbox: Outbox, catalogue: Catalogue, batch: int = 2000
) -> int:
    """Explain and publish the changes re-matches stored unexplained; how many.

    The history rows first, oldest first, then the first decisions stored without one, by the
    queue of their firms' ranges (about a quarter of `batch` firms a transaction: a first
    re-match of the catalogue gives a firm about 18).
    """
    done = 0
    while True:
        with uow.begin() as connection:
            pending = connection.execute(_pending(connection, limit=batch)).all()
            _complete(connection, outbox, catalogue, pending)
        done += len(pending)
        if len(pending) < batch:
            break
    ranges = max(1, batch // (4 * FIRMS_PER_RANGE))
    while True:
        with uow.begin() as connection:
            claimed = connection.execute(_claim_ranges(connection, ranges)).all()
            rows: Sequence[Any] = []
            if claimed:
                within = or_(*(_d.uscc.between(r.first_uscc, r.last_uscc) for r in claimed))
                rows = connection.execute(_unrecorded(connection, within, wait=False)).all()
                _complete(connection, outbox, catalogue, rows)
            released = _release(connection, [r.id for r in claimed])
        done += len(rows)
        # Ranges left queued with nothing done: another transaction holds their rows.
        if len(claimed) < ranges or not (rows or released):
            break
    return done


def announce_rematch(connection: Connection, *, outbox: Outbox, measure: Measure) -> int:
    """Explain and publish, in the caller's transaction, the changes its re-match of `measure` stored.

    The firms stay queued: the Explainer finds their first decisions recorded and drops the ranges.
    """
    catalogue, done = Catalogue([measure]), 0
    query = _pending(connection, limit=2000, measure=measure)
    while rows := connection.execute(query).all():
        _complete(connection, outbox, catalogue, rows)
        done += len(rows)
    after, of_measure = "", and_(_d.measure_id == measure.id, _d.measure_version == measure.version)
    while rows := connection.execute(
        _unrecorded(connection, and_(of_measure, _d.uscc > after), wait=False, limit=2000)
    ).all():
        _complete(connection, outbox, catalogue, rows)
        done += len(rows)
        after = rows[-1].uscc
    return done


def _pending(
    connection: Connection,
    *,
    uscc: str | None = None,
    measure: Measure | None = None,
    limit: int | None = None,
) -> Select[Any]:
    """Unexplained history rows with the firm's facts, oldest first, locked for completing."""
    postgres = connection.dialect.name == "postgresql"
    ids = select(_h.id).where(_h.facts_digest == PENDING).order_by(_h.id).limit(limit)
    if uscc is not None:
        ids = ids.where(_h.uscc == uscc)
    if measure is not None:
        ids = ids.where(_h.measure_id == measure.id, _h.measure_version == measure.version)
    if postgres:
        # The background pass never waits (a consumer or re-match holding the rows goes first);
        # a consumer completing its own firm waits for the background pass instead.
        ids = ids.with_for_update(skip_locked=uscc is None)
    # The oldest ids first, from the partial index, then their firms: not all pending rows.
    claimed = ids.subquery()
    query = (
        select(
            _h.id,
            _h.uscc,
            _h.measure_id,
            _h.measure_version,
            _h.status,
            _h.previous_status,
            _h.evaluated_on,
            _h.recorded_at,
            _f.facts,
            _f.profile_version,
        )
        .join_from(claimed, determination_history, _h.id == claimed.c.id)
        .join(enterprise_facts, _f.uscc == _h.uscc)
        .join(determinations, and_(_d.uscc == _h.uscc, _d.measure_id == _h.measure_id))
        .order_by(_h.id)
    )
    if postgres:
        query = query.with_for_update(
            of=[enterprise_facts, determinations], skip_locked=uscc is None
        )
    return query


def _claim_ranges(connection: Connection, ranges: int) -> Select[Any]:
    """The oldest queued ranges no other Explainer holds, locked until the transaction ends."""
    query = select(_q.id, _q.first_uscc, _q.last_uscc).order_by(_q.id).limit(ranges)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return query


def _release(connection: Connection, claimed: Sequence[int]) -> int:
    """Drop the claimed ranges left with no unrecorded row; how many.

    A row another transaction holds still reads unrecorded here, so its range stays queued.
    """
    if not claimed:
        return 0
    left = exists().where(_d.uscc.between(_q.first_uscc, _q.last_uscc), _d.unrecorded == true())
    return connection.execute(delete(unrecorded_ranges).where(_q.id.in_(claimed), ~left)).rowcount


def _unrecorded(
    connection: Connection, where: ColumnElement[bool], *, wait: bool, limit: int | None = None
) -> Select[Any]:
    """First decisions stored without a history row, with the firm's facts, locked for completing.

    In firm order, by the primary key. Each row has no earlier one, so its order against the
    history rows does not matter. Without `wait`, rows another transaction holds are skipped.
    """
    query = (
        select(
            null().label("id"),
            _d.uscc,
            _d.measure_id,
            _d.measure_version,
            _d.status,
            null().label("previous_status"),
            _d.evaluated_on,
            _d.updated_at.label("recorded_at"),
            _f.facts,
            _f.profile_version,
        )
        .join_from(determinations, enterprise_facts, _f.uscc == _d.uscc)
        .where(where, _d.unrecorded == true(), _d.facts_digest == PENDING)
        .order_by(_d.uscc, _d.measure_id)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=[determinations, enterprise_facts], skip_locked=not wait)
    return query


def complete_firm(
    connection: Connection, *, uscc: str, outbox: Outbox, catalogue: Catalogue
) -> None:
    """Explain (and publish) the firm's pending rows on its facts, before they change."""
    for query in (
        _pending(connection, uscc=uscc),
        _unrecorded(connection, _d.uscc == uscc, wait=True),
    ):
        _complete(connection, outbox, catalogue, connection.execute(query).all())
    # Pending rows with no history: the same status under a new version (and first "ineligible"
    # rows stored before ADR 0013).
    left = connection.execute(
        select(_d.uscc, _d.measure_id, _d.measure_version, _d.status, _d.evaluated_on, _f.facts)
        .join_from(determinations, enterprise_facts, _f.uscc == _d.uscc)
        .where(_d.uscc == uscc, _d.facts_digest == PENDING)
    ).all()
    updates = [_determination_update(row, explain(catalogue, row.facts, row)) for row in left]
    if updates:
        connection.execute(_DETERMINATION, updates)


def _complete(
    connection: Connection, outbox: Outbox, catalogue: Catalogue, rows: Sequence[Any]
) -> None:
    """Explain each row; update its history row, or write it for a first decision (id null)."""
    history, recorded, stored, events = [], [], [], []
    for row in rows:
        decision = explain(catalogue, row.facts, row)
        explained = {
            "facts_digest": decision.facts_digest if decision else UNEXPLAINABLE,
            "explanation": decision.explanation() if decision else {},
        }
        if row.id is None:
            recorded.append(
                {
                    "uscc": row.uscc,
                    "measure_id": row.measure_id,
                    "measure_version": row.measure_version,
                    "status": row.status,
                    "previous_status": None,
                    "evaluated_on": row.evaluated_on,
                    "recorded_at": row.recorded_at or datetime.now(UTC),
                    **explained,
                }
            )
        else:
            history.append({"key_id": row.id, **explained})
        stored.append(_determination_update(row, decision))
        if decision is not None:
            events.append(_event(row, decision))
    if history:
        connection.execute(_HISTORY, history)
    if recorded:
        connection.execute(_RECORD, recorded)
    if stored:
        connection.execute(_DETERMINATION, stored)
    outbox.add_many(connection, topic=DETERMINATION, events=events)


def _determination_update(row: Any, decision: Decision | None) -> dict[str, Any]:
    on: date = row.evaluated_on
    return {
        "key_uscc": row.uscc,
        "key_measure": row.measure_id,
        "key_version": row.measure_version,
        "key_status": row.status,
        "key_on": on,
        "facts_digest": decision.facts_digest if decision else UNEXPLAINABLE,
        "explanation": decision.explanation() if decision else {},
        "unrecorded": None,
    }


def _event(row: Any, decision: Decision) -> Event:
    return eligibility_changed(
        uscc=row.uscc,
        province_code=row.facts["province_code"],
        decision=decision,
        previous=Status(row.previous_status) if row.previous_status else None,
        profile_version=row.profile_version,
    )


class Explainer:
    """The background pass: explains and publishes what re-matches stored, every few seconds."""

    name = "eligibility-explainer"

    def __init__(self, *, uow: UnitOfWork, catalogue: Catalogue, every_seconds: float = 2.0):
        self._uow, self._catalogue, self._every = uow, catalogue, every_seconds
        self.health = Health()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            done = explain_pending(
                uow=self._uow, outbox=Outbox(backbone), catalogue=self._catalogue
            )
            self.health.ok()
            if done:
                log.info("re-match changes explained and announced", extra={"changes": done})
            stop.wait(self._every)
