"""Reads and writes the enterprise projection and determinations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from eligibility.adapters.tables import (
    determination_history,
    determinations,
    enterprise_certifications,
    enterprise_facts,
    rematch_log,
)
from eligibility.domain.decision import Decision, Status
from eligibility.domain.facts import DATE, REGISTRY

_COLUMNS = [name for name, fact in REGISTRY.items() if fact.comparable]
_DAYS = [name for name in _COLUMNS if REGISTRY[name].type == DATE]


def lock_projection_for_writing(connection: Connection) -> None:
    """Wait for a population re-match in progress (it holds the projection in SHARE mode)."""
    if connection.dialect.name == "postgresql":
        # The lock an UPDATE takes anyway, taken first: row locks taken before it could
        # otherwise deadlock with the re-match's writes.
        connection.exec_driver_sql("LOCK TABLE enterprise_facts IN ROW EXCLUSIVE MODE")


def profile_version(connection: Connection, uscc: str) -> int | None:
    return connection.execute(
        select(enterprise_facts.c.profile_version).where(enterprise_facts.c.uscc == uscc)
    ).scalar_one_or_none()


def save_facts(
    connection: Connection, *, uscc: str, version: int, facts: dict[str, Any], exists: bool
) -> None:
    """Store the firm's facts in their typed columns, and its certifications beside them."""
    values = {name: facts.get(name) for name in _COLUMNS}
    for name in _DAYS:  # ISO days in the facts, dates in their columns
        day = values[name]
        values[name] = date.fromisoformat(day) if isinstance(day, str) else None
    values |= {"profile_version": version, "facts": facts, "updated_at": datetime.now(UTC)}
    if exists:
        connection.execute(
            update(enterprise_facts).where(enterprise_facts.c.uscc == uscc).values(values)
        )
        connection.execute(
            delete(enterprise_certifications).where(enterprise_certifications.c.uscc == uscc)
        )
    else:
        connection.execute(insert(enterprise_facts), {"uscc": uscc, **values})
    held = [
        {
            "uscc": uscc,
            "kind": kind,
            "level": level,
            "valid_from": date.fromisoformat(start),
            "valid_to": date.fromisoformat(end) if end else None,
        }
        for kind, level, start, end in facts.get("certifications") or ()
    ]
    if held:
        connection.execute(insert(enterprise_certifications), held)


def facts_of_firm(connection: Connection, uscc: str) -> dict[str, Any] | None:
    """The firm's facts as last projected, or None when the firm is not known here."""
    facts = connection.execute(
        select(enterprise_facts.c.facts).where(enterprise_facts.c.uscc == uscc)
    ).scalar_one_or_none()
    return None if facts is None else dict(facts)


@dataclass(frozen=True, slots=True)
class Held:
    """A stored determination, as far as deciding whether a new one differs from it."""

    status: Status
    measure_version: int
    facts_digest: str


def held_determinations(connection: Connection, uscc: str) -> dict[str, Held]:
    d = determinations.c
    rows = connection.execute(
        select(d.measure_id, d.status, d.measure_version, d.facts_digest).where(d.uscc == uscc)
    )
    return {
        row.measure_id: Held(Status(row.status), row.measure_version, row.facts_digest)
        for row in rows
    }


def _values(decision: Decision) -> dict[str, Any]:
    return {
        "measure_version": decision.measure.version,
        "status": decision.status.value,
        "evaluated_on": decision.evaluated_on,
        "facts_digest": decision.facts_digest,
        "explanation": decision.explanation(),
    }


# Statements built once, executed with parameters: SQLAlchemy then reuses their compiled form.
_UPDATE = update(determinations).where(
    determinations.c.uscc == bindparam("key_uscc"),
    determinations.c.measure_id == bindparam("key_measure"),
)
_INSERT = insert(determinations)
_HISTORY = insert(determination_history)


def refresh(connection: Connection, *, uscc: str, decision: Decision) -> None:
    """Rewrite the stored determination whose status did not change (new facts or version)."""
    refresh_many(connection, [(uscc, decision)])


def refresh_many(connection: Connection, items: list[tuple[str, Decision]]) -> None:
    if items:
        now = datetime.now(UTC)
        connection.execute(
            _UPDATE,
            [
                {"key_uscc": uscc, "key_measure": d.measure.id, "updated_at": now, **_values(d)}
                for uscc, d in items
            ],
        )


def record(
    connection: Connection,
    *,
    uscc: str,
    decision: Decision,
    previous: Status | None,
    stored: bool,
) -> None:
    """Store the determination (update the firm's row if `stored`) and append it to the history."""
    now, values = datetime.now(UTC), _values(decision)
    if stored:
        connection.execute(
            _UPDATE,
            {"key_uscc": uscc, "key_measure": decision.measure.id, "updated_at": now, **values},
        )
    else:
        connection.execute(
            _INSERT, {"uscc": uscc, "measure_id": decision.measure.id, "updated_at": now, **values}
        )
    connection.execute(
        _HISTORY,
        {
            "uscc": uscc,
            "measure_id": decision.measure.id,
            "recorded_at": now,
            "previous_status": previous.value if previous else None,
            **values,
        },
    )


def decided_for_everyone(connection: Connection, measure_ids: Iterable[str]) -> set[str]:
    """Those of the measures (any version) a population re-match decided for every firm: from
    then on, a firm with no row for one of them is "ineligible" (ADR 0013)."""
    log = rematch_log.c
    ids = list(measure_ids)
    if not ids:
        return set()
    query = select(log.measure_id).where(log.measure_id.in_(ids)).distinct()
    return set(connection.execute(query).scalars())


def determinations_of(connection: Connection, uscc: str) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(determinations)
            .where(determinations.c.uscc == uscc)
            .order_by(determinations.c.measure_id)
        )
    )
