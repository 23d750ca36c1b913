"""Stored determinations and their history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from eligibility.adapters.tables import determination_history, determinations, rematch_log
from eligibility.domain.decision import Decision, Held, Status

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


def missing_of(decision: Decision | None) -> str | None:
    """The facts the firm still has to give, as the work queue filters them: ",fact,fact,"."""
    names = [m["fact"] for m in decision.missing_facts] if decision else []
    return f",{','.join(names)}," if names else None


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
    """Reads and writes one firm's determinations within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def held(self, uscc: str) -> dict[str, Held]:
        d = determinations.c
        rows = self._connection.execute(
            select(d.measure_id, d.status, d.measure_version, d.facts_digest).where(d.uscc == uscc)
        )
        return {
            row.measure_id: Held(Status(row.status), row.measure_version, row.facts_digest)
            for row in rows
        }

    def decided_for_everyone(self, measure_ids: Iterable[str]) -> set[str]:
        return decided_for_everyone(self._connection, measure_ids)

    def refresh(self, uscc: str, decision: Decision) -> None:
        """Rewrite a determination whose status did not change (new facts or version)."""
        values = {"key_uscc": uscc, "key_measure": decision.measure.id, **_values(decision)}
        self._connection.execute(
            _UPDATE, {**values, "missing": missing_of(decision), "updated_at": datetime.now(UTC)}
        )

    def record(
        self, uscc: str, decision: Decision, *, previous: Status | None, stored: bool
    ) -> None:
        """Store the determination (update the firm's row if `stored`), append it to the history."""
        now, values = datetime.now(UTC), _values(decision)
        key = {"key_uscc": uscc, "key_measure": decision.measure.id} if stored else {}
        row = {"uscc": uscc, "measure_id": decision.measure.id} if not stored else {}
        self._connection.execute(
            _UPDATE if stored else _INSERT,
            {**key, **row, "updated_at": now, "missing": missing_of(decision), **values},
        )
        self._connection.execute(
            _HISTORY,
            {
                "uscc": uscc,
                "measure_id": decision.measure.id,
                "recorded_at": now,
                "previous_status": previous.value if previous else None,
                **values,
            },
        )

    def of_firm(self, uscc: str) -> list[Row[Any]]:
        return list(
            self._connection.execute(
                select(determinations)
                .where(determinations.c.uscc == uscc)
                .order_by(determinations.c.measure_id)
            )
        )
