"""Cases and their audit trail in SQL, within one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from casework.adapters.tables import case_changes, cases
from casework.domain.cases import Case, CaseOutdated, CaseState
from casework.domain.changes import Action, Change
from casework.domain.listing import CaseFilter, Tally
from supportmatch_core.db import insert_new


class Cases:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def open(self, values: dict[str, Any]) -> tuple[Case, bool]:
        """The case of the firm and measure in `values`, created unless one exists; whether it
        was created."""
        created = insert_new(
            self._connection, cases, {**values, "version": 1}, unique=["uscc", "measure_id"]
        )
        row = self._connection.execute(
            select(cases).where(
                cases.c.uscc == values["uscc"], cases.c.measure_id == values["measure_id"]
            )
        ).one()
        return _case(row), created

    def get(self, case_id: int, *, for_update: bool = False) -> Case | None:
        query = select(cases).where(cases.c.id == case_id)
        row = self._connection.execute(query.with_for_update() if for_update else query)
        found = row.one_or_none()
        return _case(found) if found else None

    def save(self, case: Case, *, expected_version: int) -> Case:
        """Store `case` if nobody changed it since `expected_version`; the stored case."""
        values = {
            k: v for k, v in asdict(case).items() if k not in ("id", "opened_at", "opened_by")
        }
        values["state"] = case.state.value
        values["version"] = expected_version + 1
        done = self._connection.execute(
            update(cases)
            .where(cases.c.id == case.id, cases.c.version == expected_version)
            .values(**values)
        )
        if done.rowcount != 1:
            raise CaseOutdated
        stored = self.get(case.id)
        assert stored is not None
        return stored

    def record(self, change: Change) -> None:
        values = asdict(change)
        values["action"] = change.action.value
        self._connection.execute(insert(case_changes), values)

    def trail(self, case_id: int) -> list[Change]:
        rows = self._connection.execute(
            select(case_changes)
            .where(case_changes.c.case_id == case_id)
            .order_by(case_changes.c.id)
        )
        return [
            Change(
                case_id=r.case_id,
                at=r.at,
                actor=r.actor,
                action=Action(r.action),
                before=r.before,
                after=r.after,
                reason=r.reason,
            )
            for r in rows
        ]

    def listed(self, where: CaseFilter, *, limit: int) -> list[Case]:
        """Cases matching `where`, the latest change first, after `where.after` (a keyset)."""
        query = select(cases).order_by(cases.c.updated_at.desc(), cases.c.id.desc()).limit(limit)
        for condition in _conditions(where):
            query = query.where(condition)
        return [_case(row) for row in self._connection.execute(query)]

    def counts(self, where: CaseFilter) -> dict[CaseState, int]:
        """How many cases `where` admits in each state (its own state filter aside)."""
        query = select(cases.c.state, func.count()).group_by(cases.c.state)
        for condition in _conditions(where, with_state=False):
            query = query.where(condition)
        return {CaseState(state): n for state, n in self._connection.execute(query)}

    def tally(self, measure_id: str, provinces: frozenset[str] | None) -> list[Tally]:
        """Cases of the measure per province and state, with the amounts disbursed."""
        query = (
            select(
                cases.c.province_code,
                cases.c.state,
                func.count(),
                func.coalesce(func.sum(cases.c.disbursed_fen), 0),
            )
            .where(cases.c.measure_id == measure_id)
            .group_by(cases.c.province_code, cases.c.state)
        )
        if provinces is not None:
            query = query.where(cases.c.province_code.in_(sorted(provinces)))
        return [
            Tally(province, CaseState(state), count, int(fen))
            for province, state, count, fen in self._connection.execute(query)
        ]

    def of_firm(self, uscc: str) -> list[Case]:
        rows = self._connection.execute(
            select(cases).where(cases.c.uscc == uscc).order_by(cases.c.opened_at, cases.c.id)
        )
        return [_case(row) for row in rows]

    def open_for(self, usccs: Sequence[str], measure_id: str) -> dict[str, Case]:
        """The cases of `measure_id` among the firms `usccs`, by USCC."""
        if not usccs:
            return {}
        rows = self._connection.execute(
            select(cases).where(cases.c.measure_id == measure_id, cases.c.uscc.in_(list(usccs)))
        )
        return {row.uscc: _case(row) for row in rows}


def _conditions(where: CaseFilter, *, with_state: bool = True) -> list[Any]:
    found: list[Any] = []
    if where.provinces is not None:
        found.append(cases.c.province_code.in_(sorted(where.provinces)))
    if where.uscc is not None:
        found.append(cases.c.uscc == where.uscc)
    if where.measure_id:
        found.append(cases.c.measure_id == where.measure_id)
    if with_state and where.states:
        found.append(cases.c.state.in_([s.value for s in where.states]))
    if where.assignee is not None:
        found.append(cases.c.assignee == where.assignee)
    if where.due_by is not None:
        found.append(cases.c.due_on <= where.due_by)
    if where.after is not None:
        at, case_id = where.after
        found.append(
            (cases.c.updated_at < at) | ((cases.c.updated_at == at) & (cases.c.id < case_id))
        )
    return found


def _case(row: Row[Any]) -> Case:
    values = dict(row._mapping)
    values["state"] = CaseState(values["state"])
    return Case(**values)
