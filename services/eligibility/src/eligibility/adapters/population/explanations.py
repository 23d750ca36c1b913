"""The statements of explaining what re-matches stored by status alone: the unexplained rows with
their firms' facts, locked for completing, and the writes that complete them (ADR 0011, 0015)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    insert,
    null,
    select,
    true,
    update,
)

from eligibility.adapters.determinations import missing_of
from eligibility.adapters.population.ranges import within
from eligibility.adapters.tables import determination_history, determinations, enterprise_facts
from eligibility.domain.decision import Decision
from eligibility.domain.measures import Measure
from eligibility.domain.rematches import PENDING, UNEXPLAINABLE, Claimed, Unexplained

_h, _d, _f = determination_history.c, determinations.c, enterprise_facts.c
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


class Explanations:
    """Unexplained determinations of one transaction, and their completion."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._postgres = connection.dialect.name == "postgresql"

    def pending(
        self, *, uscc: str | None = None, measure: Measure | None = None, limit: int | None = None
    ) -> list[Unexplained]:
        """Unexplained history rows with the firm's facts, oldest first, locked for completing.

        The background pass never waits (a consumer or re-match holding the rows goes first);
        a consumer completing its own firm waits for the background pass instead.
        """
        ids = select(_h.id).where(_h.facts_digest == PENDING).order_by(_h.id).limit(limit)
        if uscc is not None:
            ids = ids.where(_h.uscc == uscc)
        if measure is not None:
            ids = ids.where(_h.measure_id == measure.id, _h.measure_version == measure.version)
        if self._postgres:
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
        if self._postgres:
            query = query.with_for_update(
                of=[enterprise_facts, determinations], skip_locked=uscc is None
            )
        return self._read(query)

    def unrecorded_in(self, claimed: Sequence[Claimed]) -> list[Unexplained]:
        """First decisions without a history row of the firms in the claimed ranges; rows another
        transaction holds are skipped."""
        return self._read(self._unrecorded(within(claimed), wait=False))

    def unrecorded_of_firm(self, uscc: str) -> list[Unexplained]:
        return self._read(self._unrecorded(_d.uscc == uscc, wait=True))

    def unrecorded_of_measure(
        self, measure: Measure, *, after: str, limit: int
    ) -> list[Unexplained]:
        """The measure version's first decisions without a history row, by firm after `after`."""
        of_measure = and_(_d.measure_id == measure.id, _d.measure_version == measure.version)
        where = and_(of_measure, _d.uscc > after)
        return self._read(self._unrecorded(where, wait=False, limit=limit))

    def _unrecorded(
        self, where: ColumnElement[bool], *, wait: bool, limit: int | None = None
    ) -> Select[Any]:
        """In firm order, by the primary key. Each row has no earlier one, so its order against
        the history rows does not matter. Without `wait`, rows another transaction holds are
        skipped."""
        query = (
            _without_history(_d.updated_at)
            .where(where, _d.unrecorded == true(), _d.facts_digest == PENDING)
            .order_by(_d.uscc, _d.measure_id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(
                of=[determinations, enterprise_facts], skip_locked=not wait
            )
        return query

    def _read(self, query: Select[Any]) -> list[Unexplained]:
        return [_unexplained(row) for row in self._connection.execute(query)]

    def unlogged_of_firm(self, uscc: str) -> list[Unexplained]:
        """Pending rows of the firm with no history: the same status under a new version (and
        first "ineligible" rows stored before ADR 0013)."""
        rows = self._connection.execute(
            _without_history(null()).where(_d.uscc == uscc, _d.facts_digest == PENDING)
        )
        return [_unexplained(row) for row in rows]

    def complete(self, done: Sequence[tuple[Unexplained, Decision | None]]) -> None:
        """Store each row's explanation (UNEXPLAINABLE for None): its history row updated, or
        written for a first decision."""
        history, recorded, stored = [], [], []
        for row, decision in done:
            explained = _explained(decision)
            if row.history_id is None:
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
                history.append({"key_id": row.history_id, **explained})
            stored.append(_determination_update(row, decision))
        if history:
            self._connection.execute(_HISTORY, history)
        if recorded:
            self._connection.execute(_RECORD, recorded)
        if stored:
            self._connection.execute(_DETERMINATION, stored)

    def explain_in_place(self, done: Sequence[tuple[Unexplained, Decision | None]]) -> None:
        """Store the explanation of rows that have no history row to write."""
        if done:
            self._connection.execute(
                _DETERMINATION, [_determination_update(row, d) for row, d in done]
            )


def _without_history(recorded_at: ColumnElement[Any]) -> Select[Any]:
    """Determinations with their firms' facts, in the shape of `Unexplained` rows that have no
    history row (id and previous status null)."""
    return select(
        null().label("id"),
        _d.uscc,
        _d.measure_id,
        _d.measure_version,
        _d.status,
        null().label("previous_status"),
        _d.evaluated_on,
        recorded_at.label("recorded_at"),
        _f.facts,
        _f.profile_version,
    ).join_from(determinations, enterprise_facts, _f.uscc == _d.uscc)


def _unexplained(row: Row[Any]) -> Unexplained:
    return Unexplained(
        history_id=row.id,
        uscc=row.uscc,
        measure_id=row.measure_id,
        measure_version=row.measure_version,
        status=row.status,
        previous_status=row.previous_status,
        evaluated_on=row.evaluated_on,
        recorded_at=row.recorded_at,
        facts=row.facts,
        profile_version=row.profile_version,
    )


def _explained(decision: Decision | None) -> dict[str, Any]:
    return {
        "facts_digest": decision.facts_digest if decision else UNEXPLAINABLE,
        "explanation": decision.explanation() if decision else {},
    }


def _determination_update(row: Unexplained, decision: Decision | None) -> dict[str, Any]:
    on: date = row.evaluated_on
    return {
        "key_uscc": row.uscc,
        "key_measure": row.measure_id,
        "key_version": row.measure_version,
        "key_status": row.status,
        "key_on": on,
        **_explained(decision),
        "missing": missing_of(decision),
        "unrecorded": None,
    }
