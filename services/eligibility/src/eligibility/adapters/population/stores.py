"""The statements that store what a re-match decided: changes with their history, first decisions
straight from the pairs (ADR 0016), and the re-match log; every row unexplained (ADR 0011)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Date,
    String,
    Table,
    and_,
    case,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
    update,
)

from eligibility.adapters.population.signatures import pairs as pairs_of
from eligibility.adapters.population.signatures import status as status_of
from eligibility.adapters.tables import (
    QUEUE_COLUMNS,
    determination_history,
    determinations,
    rematch_log,
)
from eligibility.domain.decision import Status
from eligibility.domain.measures import Measure
from eligibility.domain.rematches import PENDING


def moving(group: Table, firms: Table) -> CompoundSelect[Any]:
    """uscc, measure, version, new and held status of each pair to store, first decisions aside.

    A firm's first "ineligible" is not stored (absence is "ineligible", ADR 0013): the pairs now
    decided otherwise are joined to what is stored, and of those now "ineligible" only the stored
    ones are kept. A first decision (no row, measure never decided) is left to `store_first`.
    Sorting tens of millions of pairs would cost more than all the rest, so the pairs come in the
    order of the firms and measures of the temporary tables: key order.
    """
    pairs = pairs_of(group, firms)
    p, d = pairs.c, determinations.c
    place = [p[name] for name in QUEUE_COLUMNS]
    status = status_of(p.code)
    stored = d.uscc.is_not(None)
    held = case((stored, d.status), else_=Status.INELIGIBLE.value)
    same_pair = and_(d.uscc == p.uscc, d.measure_id == p.measure_id)
    qualifying = (
        select(p.uscc, p.measure_id, p.version, status, held, stored, *place)
        .select_from(pairs.outerjoin(determinations, same_pair))
        .where(
            p.code != 0,
            or_(
                and_(d.uscc.is_(None), p.absent == 0),
                d.status != status,
                d.measure_version != p.version,
            ),
        )
    )
    ineligible = literal(Status.INELIGIBLE.value, String())
    no_longer = (
        select(p.uscc, p.measure_id, p.version, ineligible, d.status, true(), *place)
        .select_from(pairs.join(determinations, same_pair))
        .where(p.code == 0, or_(d.status != ineligible, d.measure_version != p.version))
    )
    return union_all(qualifying, no_longer)


def store_first(
    connection: Connection,
    tables: tuple[Table, Table, Table],
    never: list[str],
    on: date,
    postgres: bool,
) -> Counter[str]:
    """Store the first decisions straight from the pairs; per measure, how many.

    A first decision is a firm with no row for a measure never decided, now "eligible" or
    "possibly eligible". It is stored unexplained and `unrecorded`, with no history row
    (ADR 0015), and never passes through `rematch_changes`: at the first start with a new
    catalogue that spares writing and reading 18 M pairs twice (ADR 0016). The rows the firms
    had are read from `held`: an anti-join with the table being filled would rescan its new
    rows for every pair.
    """
    group, firms, held = tables
    pairs = pairs_of(group, firms, group.c.absent != 0)
    p, d, k = pairs.c, determinations.c, held.c
    now = datetime.now(UTC)
    rows = (
        select(
            p.uscc,
            p.measure_id,
            p.version,
            status_of(p.code),
            *_unexplained(on, postgres).values(),
            literal(now, d.updated_at.type),
            true(),
            *(p[name] for name in QUEUE_COLUMNS),
        )
        .select_from(pairs.outerjoin(held, and_(k.uscc == p.uscc, k.measure_id == p.measure_id)))
        .where(p.code != 0, k.uscc.is_(None))
    )
    columns = ["uscc", "measure_id", "measure_version", "status"]
    columns += [*_unexplained(on, postgres), "updated_at", "unrecorded", *QUEUE_COLUMNS]
    statement = insert(determinations).from_select(columns, rows)
    if len(never) == 1:  # one measure: the rows inserted are its count
        one = statement.execution_options(preserve_rowcount=True)
        return Counter({never[0]: connection.execute(one).rowcount})
    returning = statement.returning(d.measure_id)
    if postgres:
        inserted = returning.cte("inserted")
        counted = select(inserted.c.measure_id, func.count()).group_by(inserted.c.measure_id)
        return Counter({row[0]: row[1] for row in connection.execute(counted)})
    return Counter(connection.execute(returning).scalars())


def held_rows(connection: Connection, firms: Table, held: Table, never: list[str]) -> Counter[str]:
    """Per measure never decided for everyone: the firms that moved and have a row for it.

    The pairs are kept in `held`, which `store_first` reads instead of `determinations`.
    """
    if not never:
        return Counter()
    r, d, k = firms.c, determinations.c, held.c
    connection.execute(
        insert(held).from_select(
            ["uscc", "measure_id"],
            select(d.uscc, d.measure_id)
            .join_from(firms, determinations, d.uscc == r.uscc)
            .where(d.measure_id.in_(never)),
        )
    )
    rows = connection.execute(select(k.measure_id, func.count()).group_by(k.measure_id))
    return Counter({row[0]: row[1] for row in rows})


def count_changes(connection: Connection, changes: Table) -> dict[str, tuple[int, int]]:
    """Per measure: stored statuses that moved (each one announced), and those only refreshed."""
    ch = changes.c
    moved = _moved(changes)
    rows = connection.execute(
        select(ch.measure_id, func.count().filter(moved), func.count().filter(~moved)).group_by(
            ch.measure_id
        )
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def _moved(changes: Table) -> ColumnElement[bool]:
    return changes.c.held != changes.c.status


def store_changes(connection: Connection, changes: Table, on: date, postgres: bool) -> None:
    """History of the news, then the changed determinations, then the new ones: unexplained.

    First decisions are not among the changes (`store_first`). An unrecorded row (a first
    decision not yet explained) about to be overwritten gets its history row first, so the
    history still holds every change in order.
    """
    ch, d, h = changes.c, determinations.c, determination_history.c
    now = datetime.now(UTC)
    stored = {"measure_version": ch.version, "status": ch.status} | _unexplained(on, postgres)
    kept = [h.uscc, h.measure_id, h.measure_version, h.status, h.evaluated_on]
    overwritten = (
        select(
            *(d[c.name] for c in kept),
            d.facts_digest,
            d.explanation,
            null(),
            d.updated_at,
        )
        .select_from(changes)
        .join(determinations, and_(d.uscc == ch.uscc, d.measure_id == ch.measure_id))
        .where(ch.stored, d.unrecorded)
    )
    if postgres:
        # The Explainer may be recording the same rows: it goes first (its rows then no
        # longer match), or waits for this transaction.
        overwritten = overwritten.with_for_update(of=determinations)
    columns = [c.name for c in kept] + ["facts_digest", "explanation", "previous_status"]
    connection.execute(
        insert(determination_history).from_select([*columns, "recorded_at"], overwritten)
    )
    connection.execute(
        insert(determination_history).from_select(
            ["uscc", "measure_id", *stored, "previous_status", "recorded_at"],
            select(
                ch.uscc,
                ch.measure_id,
                *stored.values(),
                ch.held,
                literal(now, determination_history.c.recorded_at.type),
            ).where(ch.held != ch.status),
        )
    )
    connection.execute(
        update(determinations)
        .where(d.uscc == ch.uscc, d.measure_id == ch.measure_id, ch.stored)
        .values(
            stored
            | {
                "updated_at": literal(now, d.updated_at.type),
                "unrecorded": null(),
                "missing": null(),
            }
        )
    )
    connection.execute(
        insert(determinations).from_select(
            ["uscc", "measure_id", *stored, "updated_at", "unrecorded", *QUEUE_COLUMNS],
            select(
                ch.uscc,
                ch.measure_id,
                *stored.values(),
                literal(now, d.updated_at.type),
                null(),
                *(ch[name] for name in QUEUE_COLUMNS),
            ).where(~ch.stored, ch.status != Status.INELIGIBLE.value),
        )
    )


def _unexplained(on: date, postgres: bool) -> dict[str, ColumnElement[Any]]:
    """The columns of a determination stored by status alone, explained later (ADR 0011)."""
    return {
        "evaluated_on": literal(on, Date()),
        "facts_digest": literal(PENDING),
        "explanation": literal_column("'{}'::json" if postgres else "'{}'"),
    }


def log_rematch(connection: Connection, measure: Measure, on: date, changed: int) -> None:
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
