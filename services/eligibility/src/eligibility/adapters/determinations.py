"""Stored determinations and their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, bindparam, insert, or_, select, update

from eligibility.adapters.tables import (
    QUEUE_COLUMNS,
    determination_history,
    determinations,
    enterprise_facts,
    rematch_log,
)
from eligibility.domain.decision import Decision, Held, Recorded, Status

# Statements built once, executed with parameters: SQLAlchemy then reuses their compiled form.
_UPDATE = update(determinations).where(
    determinations.c.uscc == bindparam("key_uscc"),
    determinations.c.measure_id == bindparam("key_measure"),
)
_INSERT = insert(determinations)
_HISTORY = insert(determination_history)


def _values(decision: Decision) -> dict[str, Any]:
    return {
        "measure_version": decision.measure.version,
        "status": decision.status.value,
        "evaluated_on": decision.evaluated_on,
        "facts_digest": decision.facts_digest,
        "explanation": decision.explanation(),
    }


def missing_of(decision: Decision | None) -> str:
    """The facts the firm still has to give, as the work queue filters them: ",fact,fact,", or
    "," for none (null is for a row not explained yet)."""
    names = [m["fact"] for m in decision.missing_facts] if decision else []
    return ",".join(["", *names, ""])


def missing_names(missing: str | None) -> tuple[str, ...]:
    """The fact names of `missing_of`'s column: none for "," or a row not explained yet."""
    return tuple(filter(None, missing.split(","))) if missing else ()


def decided_for_everyone(connection: Connection, measure_ids: Iterable[str]) -> set[str]:
    """Those of the measures (any version) a population re-match decided for every firm: from
    then on, a firm with no row for one of them is "ineligible" (ADR 0013)."""
    log = rematch_log.c
    ids = list(measure_ids)
    if not ids:
        return set()
    query = select(log.measure_id).where(log.measure_id.in_(ids)).distinct()
    return set(connection.execute(query).scalars())


class Determinations:
    """Reads and writes firms' determinations within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def held(self, usccs: Sequence[str]) -> dict[str, dict[str, Held]]:
        """Each firm's stored determinations by measure (an empty map for a firm with none)."""
        d = determinations.c
        rows = self._connection.execute(
            select(d.uscc, d.measure_id, d.status, d.measure_version, d.facts_digest).where(
                d.uscc.in_(usccs)
            )
        )
        held: dict[str, dict[str, Held]] = {uscc: {} for uscc in usccs}
        for row in rows:
            held[row.uscc][row.measure_id] = Held(
                Status(row.status), row.measure_version, row.facts_digest
            )
        return held

    def decided_for_everyone(self, measure_ids: Iterable[str]) -> set[str]:
        return decided_for_everyone(self._connection, measure_ids)

    def refresh(
        self, decided: Sequence[tuple[str, Decision]], places: Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Rewrite determinations whose status did not change (new facts or version), in their
        firm's place in the work queue."""
        if not decided:
            return
        now = datetime.now(UTC)
        self._connection.execute(
            _UPDATE,
            [
                {
                    "key_uscc": uscc,
                    "key_measure": decision.measure.id,
                    **_values(decision),
                    "missing": missing_of(decision),
                    "updated_at": now,
                    **places[uscc],
                }
                for uscc, decision in decided
            ],
        )

    def record(self, recorded: Sequence[Recorded], places: Mapping[str, Mapping[str, Any]]) -> None:
        """Store each new status (updating the firm's row where it has one), in its firm's place
        in the work queue, and append it to the history: a statement for each of the three,
        whatever the number of rows."""
        now = datetime.now(UTC)
        updates, inserts, history = [], [], []
        for r in recorded:
            values, measure_id = _values(r.decision), r.decision.measure.id
            row = values | {"missing": missing_of(r.decision), "updated_at": now, **places[r.uscc]}
            if r.stored:
                updates.append({"key_uscc": r.uscc, "key_measure": measure_id, **row})
            else:
                inserts.append({"uscc": r.uscc, "measure_id": measure_id, **row})
            previous = r.previous.value if r.previous else None
            history.append(
                {
                    "uscc": r.uscc,
                    "measure_id": measure_id,
                    "recorded_at": now,
                    "previous_status": previous,
                    **values,
                }
            )
        for statement, rows in ((_UPDATE, updates), (_INSERT, inserts), (_HISTORY, history)):
            if rows:
                self._connection.execute(statement, rows)

    def follow_projection(self, usccs: Sequence[str]) -> None:
        """Copy each firm's place in the work queue (province, city, industry, size, ownership)
        from the projection to its determinations where it differs: one statement."""
        if usccs:
            self._take_places(determinations.c.uscc.in_(usccs))

    def place_misplaced(self, measure_ids: Sequence[str], changed_since: datetime) -> int:
        """Rows out of place, as a replica of the release before leaves them during the upgrade
        to ADR 0037, take their firm's place: those of these measures with none (a re-match's
        first decisions; the queue's index finds them per measure), and those of firms whose
        projection changed since `changed_since`. How many."""
        d, f = determinations.c, enterprise_facts.c
        unplaced = self._take_places(d.measure_id.in_(measure_ids), d.province_code.is_(None))
        return unplaced + self._take_places(f.updated_at >= changed_since)

    def _take_places(self, *where: ColumnElement[bool]) -> int:
        d, f = determinations.c, enterprise_facts.c
        statement = (
            update(determinations)
            .where(
                d.uscc == f.uscc,
                *where,
                or_(*(d[name].is_distinct_from(f[name]) for name in QUEUE_COLUMNS)),
            )
            .values({name: f[name] for name in QUEUE_COLUMNS})
            .execution_options(preserve_rowcount=True)
        )
        return int(self._connection.execute(statement).rowcount)

    def of_firm(self, uscc: str) -> list[Row[Any]]:
        return list(
            self._connection.execute(
                select(determinations)
                .where(determinations.c.uscc == uscc)
                .order_by(determinations.c.measure_id)
            )
        )
