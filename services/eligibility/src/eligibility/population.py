"""Deciding a measure for the whole population in the database, and previewing a draft's reach."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select

from eligibility.adapters import repository
from eligibility.adapters.compiler import status_of
from eligibility.adapters.tables import determinations, enterprise_facts, rematch_log
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Status, decide
from eligibility.domain.events import eligibility_changed
from eligibility.domain.measures import Measure, uses_certifications
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox
from supportmatch_core.topics import DETERMINATION


@dataclass(frozen=True, slots=True)
class Rematch:
    measure_id: str
    version: int
    changed: int
    refreshed: int


def rematch(
    *, uow: UnitOfWork, outbox: Outbox, measure: Measure, on: date, batch: int = 2000
) -> Rematch:
    """Re-decide `measure` for every firm in one transaction: all firms or none.

    SQL picks the firms whose status (or measure version) changes; only those are explained
    in Python, stored with history and announced.
    """
    f, d = enterprise_facts.c, determinations.c
    status = status_of(measure.criteria, on).label("status")
    query = (
        select(f.uscc, f.facts, f.profile_version, status, d.status.label("held"))
        .select_from(
            enterprise_facts.outerjoin(
                determinations, and_(d.uscc == f.uscc, d.measure_id == measure.id)
            )
        )
        .where(or_(d.status.is_(None), d.status != status, d.measure_version != measure.version))
    )
    changed = refreshed = 0
    with uow.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Hold the firms being re-decided, so a profile change cannot slip in between.
            query = query.with_for_update(of=enterprise_facts)
        rows = connection.execute(query.execution_options(yield_per=batch))
        for part in rows.partitions():
            changes, refreshes, events = [], [], []
            for row in part:
                decision = decide(measure, row.facts, on)
                if decision.status.value != row.status:
                    raise AssertionError(f"SQL and Python disagree on {row.uscc}: a bug")
                held = Status(row.held) if row.held else None
                if held == decision.status:
                    refreshes.append((row.uscc, decision))
                    continue
                changes.append((row.uscc, decision, held))
                events.append(
                    eligibility_changed(
                        uscc=row.uscc,
                        province_code=row.facts["province_code"],
                        decision=decision,
                        previous=held,
                        profile_version=row.profile_version,
                    )
                )
            # One statement per table and partition: the per-row INSERTs were most of the time.
            repository.refresh_many(connection, refreshes)
            repository.record_many(connection, changes)
            outbox.add_many(connection, topic=DETERMINATION, events=events)
            changed += len(changes)
            refreshed += len(refreshes)
        _log(connection, measure, on, changed)
    return Rematch(measure.id, measure.version, changed, refreshed)


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
    return [rematch(uow=uow, outbox=outbox, measure=measure, on=on) for measure in due]


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
