"""Deciding a measure for the whole population in the database, and previewing a draft's reach."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    MetaData,
    Select,
    String,
    Table,
    and_,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)

from eligibility import explaining
from eligibility.adapters.compiler import status_of
from eligibility.adapters.tables import (
    determination_history,
    determinations,
    enterprise_facts,
    rematch_log,
)
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Status
from eligibility.domain.measures import Measure, uses_certifications
from eligibility.explaining import PENDING
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox


@dataclass(frozen=True, slots=True)
class Rematch:
    measure_id: str
    version: int
    changed: int  # statuses that changed, first decisions included
    refreshed: int  # same status under a new measure version
    to_announce: int = 0  # changes left for `explaining.explain_pending` to explain and publish


# The firms whose determination moves, for the statements of one re-match (dropped at its end).
_changes = Table(
    "rematch_changes",
    MetaData(),
    Column("uscc", String(18), nullable=False),
    Column("status", String(20), nullable=False),
    Column("held", String(20), nullable=True),
    prefixes=["TEMPORARY"],
)


def rematch(
    *,
    uow: UnitOfWork,
    outbox: Outbox,
    measure: Measure,
    on: date,
    batch: int = 2000,
    announce: bool = True,
) -> Rematch:
    """Re-decide `measure` for every firm in one transaction, in the database: all firms or none.

    SQL decides and stores the statuses unexplained (facts digest PENDING) and appends each change
    worth announcing to the history, also unexplained (a first "ineligible" is stored only, ADR
    0011). With `announce` (the default, as before) the same transaction explains and publishes
    those changes, Python explaining each (about 0.2 ms a change); without it, the Explainer
    worker does so within seconds of the commit (`explaining.explain_pending`), which keeps a
    re-match of a million firms to seconds. `batch` is no longer used and stays for callers.
    """
    ch, d = _changes.c, determinations.c
    moved = or_(ch.held.is_(None), ch.held != ch.status)
    news = and_(moved, or_(ch.held.is_not(None), ch.status != Status.INELIGIBLE.value))
    with uow.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            # Profile changes wait until the re-match commits (cheaper than locking every row),
            # and the join of a million firms stays in memory instead of spilling to disk.
            connection.exec_driver_sql("LOCK TABLE enterprise_facts IN SHARE MODE")
            connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        _changes.create(connection)
        connection.execute(
            insert(_changes).from_select(["uscc", "status", "held"], _moving(measure, on))
        )
        changed, refreshed, to_announce = connection.execute(
            select(
                func.count().filter(moved), func.count().filter(~moved), func.count().filter(news)
            )
        ).one()
        now = datetime.now(UTC)
        stored = {
            "measure_version": literal(measure.version),
            "status": ch.status,
            "evaluated_on": literal(on, Date()),
            "facts_digest": literal(PENDING),
            "explanation": _unexplained(postgres),
        }
        connection.execute(
            insert(determination_history).from_select(
                ["uscc", "measure_id", *stored, "previous_status", "recorded_at"],
                select(
                    ch.uscc,
                    literal(measure.id),
                    *stored.values(),
                    ch.held,
                    literal(now, determination_history.c.recorded_at.type),
                ).where(news),
            )
        )
        connection.execute(
            update(determinations)
            .where(d.uscc == ch.uscc, d.measure_id == measure.id, ch.held.is_not(None))
            .values(stored | {"updated_at": literal(now, d.updated_at.type)})
        )
        connection.execute(
            insert(determinations).from_select(
                ["uscc", "measure_id", *stored, "updated_at"],
                select(
                    ch.uscc,
                    literal(measure.id),
                    *stored.values(),
                    literal(now, d.updated_at.type),
                ).where(ch.held.is_(None)),
            )
        )
        _changes.drop(connection)
        if announce:
            explaining.announce_rematch(connection, outbox=outbox, measure=measure)
        _log(connection, measure, on, changed)
    return Rematch(measure.id, measure.version, changed, refreshed, to_announce)


def _moving(measure: Measure, on: date) -> Select[Any]:
    """uscc, new status and held status of each firm whose status or measure version moves."""
    f, d = enterprise_facts.c, determinations.c
    # OFFSET 0 keeps PostgreSQL from inlining the status into the WHERE (evaluated twice).
    decided = select(f.uscc, status_of(measure.criteria, on).label("status")).offset(0).subquery()
    # In key order, so that the inserts that follow fill the indexes page by page.
    return (
        select(decided.c.uscc, decided.c.status, d.status)
        .select_from(
            decided.outerjoin(
                determinations, and_(d.uscc == decided.c.uscc, d.measure_id == measure.id)
            )
        )
        .where(
            or_(
                d.status.is_(None),
                d.status != decided.c.status,
                d.measure_version != measure.version,
            )
        )
        .order_by(decided.c.uscc)
    )


def _unexplained(postgres: bool) -> ColumnElement[Any]:
    return literal_column("'{}'::json" if postgres else "'{}'")


def _log(connection: Connection, measure: Measure, on: date, changed: int) -> None:
    connection.execute(
        insert(rematch_log).values(
            measure_id=measure.id,
            measure_version=measure.version,
            measure_digest=measure.digest,
            rematched_on=on,
            changed=changed,
            finished_at=datetime.now(UTC),
        )
    )


def rematch_due(
    *, uow: UnitOfWork, outbox: Outbox, catalogue: Catalogue, on: date
) -> list[Rematch]:
    """Re-decide the population for each measure in force on `on` whose decision may have moved.

    That is a version (or edited document) never decided for everyone before, and, once a day,
    a measure whose criteria depend on the day (certifications valid on it). Runs at start-up and
    from the daily tick; a firm's own changes are decided when its profile event arrives.
    """
    log = rematch_log.c
    with uow.read() as connection:
        rows = connection.execute(
            select(log.measure_id, log.measure_version, log.measure_digest, log.rematched_on)
        ).all()
    ever = {(r.measure_id, r.measure_version, r.measure_digest) for r in rows}
    today = {
        (r.measure_id, r.measure_version, r.measure_digest) for r in rows if r.rematched_on == on
    }
    due = [
        measure
        for measure in catalogue.in_force(on)
        if (measure.id, measure.version, measure.digest)
        not in (today if uses_certifications(measure.criteria) else ever)
    ]
    # The Explainer worker announces the changes: a new catalogue at start-up holds nothing up.
    return [
        rematch(uow=uow, outbox=outbox, measure=measure, on=on, announce=False) for measure in due
    ]


def preview(
    connection: Connection, *, draft: Measure, current: Measure | None, on: date
) -> dict[str, Any]:
    """How many firms the draft would reach, by region, size and ownership, beside the current version."""
    f = enterprise_facts.c
    result: dict[str, Any] = {"on": on.isoformat()}
    for label, measure in (("draft", draft), ("current", current)):
        if measure is None:
            result[label] = None
            continue
        status = status_of(measure.criteria, on).label("status")
        rows = connection.execute(
            select(
                status, f.region, f.size_class, f.ownership, func.count().label("firms")
            ).group_by(status, f.region, f.size_class, f.ownership)
        ).all()
        by: dict[str, Counter[str]] = {
            k: Counter() for k in ("status", "region", "size", "ownership")
        }
        for row in rows:
            by["status"][row.status] += row.firms
            if row.status == Status.ELIGIBLE.value:
                by["region"][row.region or "unknown"] += row.firms
                by["size"][row.size_class or "unknown"] += row.firms
                by["ownership"][row.ownership or "unknown"] += row.firms
        result[label] = {
            "by_status": dict(by["status"]),
            "eligible_by_region": dict(by["region"]),
            "eligible_by_size": dict(by["size"]),
            "eligible_by_ownership": dict(by["ownership"]),
        }
    return result
