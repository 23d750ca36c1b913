"""Deciding measures for the whole population in the database, and previewing a draft's reach."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    CompoundSelect,
    Connection,
    Date,
    Integer,
    MetaData,
    Select,
    String,
    Subquery,
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

from eligibility import explaining
from eligibility.adapters import repository
from eligibility.adapters.compiler import code_of
from eligibility.adapters.tables import (
    FIRMS_PER_RANGE,
    determination_history,
    determinations,
    enterprise_facts,
    rematch_log,
    unrecorded_ranges,
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


# Two bits per measure: a bigint holds the statuses of 31 measures of a group.
_PER_SIGNATURE = 31


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
    of a stored status to the history, also unexplained; a first decision is marked `unrecorded`
    and gets its history row when it is explained (ADR 0015). A firm that does not qualify and
    never did gets no row (ADR 0013: absence is "ineligible", decided on read). With `announce`
    (the default) the same transaction explains and publishes the changes, Python explaining
    each (about 0.3 ms a change); without it, the Explainer worker does so within seconds of the
    commit (`explaining.explain_pending`). `batch` is no longer used and stays for callers.
    """
    with uow.begin() as connection:
        (done,) = _rematch(connection, [measure], on)
        if announce:
            explaining.announce_rematch(connection, outbox=outbox, measure=measure)
    return done


def rematch_group(*, uow: UnitOfWork, measures: Sequence[Measure], on: date) -> list[Rematch]:
    """Re-decide several measures in one transaction and one pass over the projection.

    The changes are left to the Explainer worker to explain and announce.
    """
    if not measures:
        return []
    with uow.begin() as connection:
        return _rematch(connection, measures, on)


def _rematch(connection: Connection, measures: Sequence[Measure], on: date) -> list[Rematch]:
    """Find the (firm, measure) pairs whose status or version moves, then store them set-wise."""
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        # Profile changes wait until the re-match commits (cheaper than locking every row),
        # and the joins of a million firms stay in memory instead of spilling to disk.
        connection.exec_driver_sql("LOCK TABLE enterprise_facts IN SHARE MODE")
        connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")
    # In key order, as the pairs are then read: the inserts fill the indexes page by page.
    ordered = sorted(measures, key=lambda m: m.id)
    group, firms, changes, held = _temporary_tables(len(measures))
    for table in (group, firms, changes, held):
        table.create(connection)
    decided = repository.decided_for_everyone(connection, (m.id for m in measures))
    connection.execute(
        insert(group),
        [
            {
                "measure_id": m.id,
                "version": m.version,
                "chunk": i // _PER_SIGNATURE,
                "weight": 4 ** (i % _PER_SIGNATURE),
                # A firm without a row: "ineligible" once the measure was decided for everyone,
                # else not decided yet (3 differs from every status code).
                "absent": 0 if m.id in decided else 3,
            }
            for i, m in enumerate(ordered)
        ],
    )
    connection.execute(
        insert(firms).from_select(
            [c.name for c in firms.c],
            _moving_firms(ordered, on, group, firms, decided, postgres),
        )
    )
    never = [m.id for m in ordered if m.id not in decided]
    held_never = _held(connection, firms, held, never)
    if len(never) < len(ordered) or any(held_never.values()):
        connection.execute(
            insert(changes).from_select([c.name for c in changes.c], _moving(group, firms))
        )
    counts = _counts(connection, changes)
    _store(connection, changes, on, postgres)
    moved, firsts = 0, Counter[str]()
    if never:
        firsts = _store_first(connection, (group, firms, held), never, on, postgres)
        (moved,) = connection.execute(select(func.count()).select_from(firms)).one()
        _queue_unrecorded(connection, firms)
    for table in (held, changes, firms, group):
        table.drop(connection)
    done = []
    for measure in measures:
        news, refreshed = counts.get(measure.id, (0, 0))
        news += firsts[measure.id]
        changed = news
        if measure.id in never:
            # Each firm that moved had a row, or got a first decision stored, or is a first
            # "ineligible" (not stored): counted, not listed.
            changed += moved - held_never[measure.id] - firsts[measure.id]
        _log(connection, measure, on, changed)
        done.append(Rematch(measure.id, measure.version, changed, refreshed, news))
    return done


def _temporary_tables(size: int) -> tuple[Table, Table, Table, Table]:
    """The group's measures, the firms whose signatures moved, the pairs that move, and the
    rows the moved firms have for measures never decided."""
    metadata, temporary = MetaData(), ["TEMPORARY"]
    group = Table(
        "rematch_group",
        metadata,
        Column("measure_id", String(100), nullable=False),
        Column("version", Integer, nullable=False),
        Column("chunk", Integer, nullable=False),
        Column("weight", BigInteger, nullable=False),
        Column("absent", Integer, nullable=False),
        prefixes=temporary,
    )
    chunks = -(-size // _PER_SIGNATURE)
    firms = Table(
        "rematch_firms",
        metadata,
        Column("uscc", String(18), nullable=False),
        *(Column(f"sig{k}", BigInteger, nullable=False) for k in range(chunks)),
        prefixes=temporary,
    )
    changes = Table(
        "rematch_changes",
        metadata,
        Column("uscc", String(18), nullable=False),
        Column("measure_id", String(100), nullable=False),
        Column("version", Integer, nullable=False),
        Column("status", String(20), nullable=False),
        Column("held", String(20), nullable=False),
        Column("stored", Boolean, nullable=False),  # the firm has a row for the measure
        prefixes=temporary,
    )
    held = Table(
        "rematch_held",
        metadata,
        Column("uscc", String(18), nullable=False),
        Column("measure_id", String(100), nullable=False),
        prefixes=temporary,
    )
    return group, firms, changes, held


def _moving_firms(
    measures: Sequence[Measure],
    on: date,
    group: Table,
    firms: Table,
    decided: set[str],
    postgres: bool,
) -> Select[Any]:
    """Each firm whose packed statuses differ from its stored ones: one pass over the projection.

    Signature k of a firm is the sum of code x 4^j over the measures j of chunk k (0 ineligible,
    1 eligible, 2 possibly eligible; 3 for a stored row of another version), exact in a bigint.
    Only uscc and the typed columns are read, never the facts JSON.
    """
    f, d, g = enterprise_facts.c, determinations.c, group.c
    chunks = [measures[k : k + _PER_SIGNATURE] for k in range(0, len(measures), _PER_SIGNATURE)]
    names = [c.name for c in firms.c][1:]
    new = (
        select(
            f.uscc,
            *(
                _sum(code_of(m.criteria, on, 4**j) for j, m in enumerate(chunk)).label(name)
                for name, chunk in zip(names, chunks, strict=True)
            ),
        )
        # OFFSET 0 keeps PostgreSQL from inlining the statuses into the WHERE (evaluated twice).
        .offset(0)
        .subquery()
    )
    code = case(
        (d.measure_version != g.version, 3),
        (d.status == Status.ELIGIBLE.value, 1),
        (d.status == Status.POSSIBLY_ELIGIBLE.value, 2),
        else_=0,
    )
    held = (
        select(
            d.uscc,
            *(
                func.sum(case((g.chunk == k, g.weight * (code - g.absent)), else_=0)).label(name)
                for k, name in enumerate(names)
            ),
        )
        .join_from(determinations, group, d.measure_id == g.measure_id)
        .group_by(d.uscc)
        .subquery()
    )
    # Held signature: every absent measure at its absent code, corrected by the stored rows.
    base = [sum(3 * 4**j for j, m in enumerate(chunk) if m.id not in decided) for chunk in chunks]
    return (
        select(new.c.uscc, *(new.c[name] for name in names))
        .select_from(new.outerjoin(held, held.c.uscc == new.c.uscc))
        .where(
            or_(
                *(
                    new.c[name] != func.coalesce(held.c[name], 0) + literal_column(str(b))
                    for name, b in zip(names, base, strict=True)
                )
            )
        )
        .order_by(_key_order(new.c.uscc, postgres))
    )


def _key_order(uscc: ColumnElement[str], postgres: bool) -> ColumnElement[str]:
    """The firms' key, sorted byte by byte: the order of the primary keys of a USCC (ASCII
    only), without the cost of the database's collation (2.9 s of 5.9 s for a million firms).

    SQLite compares bytes already; PostgreSQL does only under the "C" collation.
    """
    return uscc.collate("C") if postgres else uscc


def _sum(parts: Iterable[ColumnElement[int]]) -> ColumnElement[int]:
    total: ColumnElement[int] | None = None
    for part in parts:
        total = part if total is None else total + part
    assert total is not None
    return total


def _pairs(group: Table, firms: Table, *where: ColumnElement[bool]) -> Subquery:
    """Each moved firm with each measure of the group, and the measure's new status code."""
    r, g = firms.c, group.c
    names = [c.name for c in firms.c][1:]
    signature = (
        r[names[0]]
        if len(names) == 1
        else case(*((g.chunk == k, r[name]) for k, name in enumerate(names)))
    )
    return (
        select(
            r.uscc,
            g.measure_id,
            g.version,
            g.absent,
            (signature.op("/")(g.weight) % 4).label("code"),
        )
        .select_from(firms)
        .join(group, true())
        .where(*where)
        .offset(0)
        .subquery()
    )


def _status(code: ColumnElement[int]) -> ColumnElement[str]:
    return case(
        (code == 1, Status.ELIGIBLE.value),
        (code == 2, Status.POSSIBLY_ELIGIBLE.value),
        else_=Status.INELIGIBLE.value,
    )


def _moving(group: Table, firms: Table) -> CompoundSelect[Any]:
    """uscc, measure, version, new and held status of each pair to store, first decisions aside.

    A firm's first "ineligible" is not stored (absence is "ineligible", ADR 0013): the pairs now
    decided otherwise are joined to what is stored, and of those now "ineligible" only the stored
    ones are kept. A first decision (no row, measure never decided) is left to `_store_first`.
    Sorting tens of millions of pairs would cost more than all the rest, so the pairs come in the
    order of the firms and measures of the temporary tables: key order.
    """
    pairs = _pairs(group, firms)
    p, d = pairs.c, determinations.c
    status = _status(p.code)
    stored = d.uscc.is_not(None)
    held = case((stored, d.status), else_=Status.INELIGIBLE.value)
    same_pair = and_(d.uscc == p.uscc, d.measure_id == p.measure_id)
    qualifying = (
        select(p.uscc, p.measure_id, p.version, status, held, stored)
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
        select(p.uscc, p.measure_id, p.version, ineligible, d.status, true())
        .select_from(pairs.join(determinations, same_pair))
        .where(p.code == 0, or_(d.status != ineligible, d.measure_version != p.version))
    )
    return union_all(qualifying, no_longer)


def _store_first(
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
    pairs = _pairs(group, firms, group.c.absent != 0)
    p, d, k = pairs.c, determinations.c, held.c
    now = datetime.now(UTC)
    rows = (
        select(
            p.uscc,
            p.measure_id,
            p.version,
            _status(p.code),
            *_unexplained(on, postgres).values(),
            literal(now, d.updated_at.type),
            true(),
        )
        .select_from(pairs.outerjoin(held, and_(k.uscc == p.uscc, k.measure_id == p.measure_id)))
        .where(p.code != 0, k.uscc.is_(None))
    )
    columns = ["uscc", "measure_id", "measure_version", "status"]
    columns += [*_unexplained(on, postgres), "updated_at", "unrecorded"]
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


def _held(connection: Connection, firms: Table, held: Table, never: list[str]) -> Counter[str]:
    """Per measure never decided for everyone: the firms that moved and have a row for it.

    The pairs are kept in `held`, which `_store_first` reads instead of `determinations`.
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


def _counts(connection: Connection, changes: Table) -> dict[str, tuple[int, int]]:
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


def _store(connection: Connection, changes: Table, on: date, postgres: bool) -> None:
    """History of the news, then the changed determinations, then the new ones: unexplained.

    First decisions are not among the changes (`_store_first`). An unrecorded row (a first
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
        .values(stored | {"updated_at": literal(now, d.updated_at.type), "unrecorded": null()})
    )
    connection.execute(
        insert(determinations).from_select(
            ["uscc", "measure_id", *stored, "updated_at", "unrecorded"],
            select(
                ch.uscc,
                ch.measure_id,
                *stored.values(),
                literal(now, d.updated_at.type),
                null(),
            ).where(~ch.stored, ch.status != Status.INELIGIBLE.value),
        )
    )


def _queue_unrecorded(connection: Connection, firms: Table) -> None:
    """Queue the firms that moved for the Explainer, a range of keys per hundred firms.

    Some firms got no first decision (all "ineligible"): the Explainer finds no row for them.
    The ranges are new rows, so an Explainer dropping an older range that overlaps one of them
    leaves this re-match's firms queued.
    """
    r, q = firms.c, unrecorded_ranges.c
    key = _key_order(r.uscc, connection.dialect.name == "postgresql")
    position = (func.row_number().over(order_by=key) - 1).self_group()
    numbered = select(r.uscc, position.op("/")(FIRMS_PER_RANGE).label("bucket")).subquery()
    now = literal(datetime.now(UTC), q.queued_at.type)
    connection.execute(
        insert(unrecorded_ranges).from_select(
            ["first_uscc", "last_uscc", "queued_at"],
            select(func.min(numbered.c.uscc), func.max(numbered.c.uscc), now).group_by(
                numbered.c.bucket
            ),
        )
    )


def _unexplained(on: date, postgres: bool) -> dict[str, ColumnElement[Any]]:
    """The columns of a determination stored by status alone, explained later (ADR 0011)."""
    return {
        "evaluated_on": literal(on, Date()),
        "facts_digest": literal(PENDING),
        "explanation": literal_column("'{}'::json" if postgres else "'{}'"),
    }


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


# The advisory lock the daily re-match holds on PostgreSQL (any constant the service owns).
_REMATCH_LOCK = 0x5EED_0001


def rematch_due(
    *, uow: UnitOfWork, outbox: Outbox, catalogue: Catalogue, on: date
) -> list[Rematch]:
    """Re-decide the population for each measure in force on `on` whose decision may have moved.

    That is a version (or edited document) never decided for everyone before, and, once a day,
    a measure whose criteria depend on the day (certifications valid on it). Runs at start-up and
    from the daily tick; a firm's own changes are decided when its profile event arrives. All of
    them are decided in one transaction and one pass over the projection; the Explainer worker
    announces the changes, so a new catalogue at start-up holds nothing up.
    """
    log = rematch_log.c
    with uow.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas tick alike: one re-matches, the others wait and then find nothing due.
            connection.execute(select(func.pg_advisory_xact_lock(_REMATCH_LOCK)))
        rows = connection.execute(
            select(log.measure_id, log.measure_version, log.measure_digest, log.rematched_on)
        ).all()
        ever = {(r.measure_id, r.measure_version, r.measure_digest) for r in rows}
        today = {
            (r.measure_id, r.measure_version, r.measure_digest)
            for r in rows
            if r.rematched_on == on
        }
        due = [
            measure
            for measure in catalogue.in_force(on)
            if (measure.id, measure.version, measure.digest)
            not in (today if uses_certifications(measure.criteria) else ever)
        ]
        return _rematch(connection, due, on) if due else []
