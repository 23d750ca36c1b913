"""The caseworkers' cases as their events tell them: what is due, by whom."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, select
from sqlalchemy.dialects import postgresql, sqlite

from notifications.adapters.tables import case_dues
from supportmatch_core.contracts.case import OPEN, CaseChanged


class CaseDues:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def follow(self, case: CaseChanged) -> None:
        """Keep the case as `case` says unless a later version is held."""
        dialect = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        values = {
            "uscc": case.uscc,
            "measure_id": case.measure_id,
            "case_id": case.case_id,
            "province_code": case.province_code,
            "measure_title_zh": case.measure_title_zh,
            "measure_title_en": case.measure_title_en,
            "state": case.state,
            "assignee": case.assignee,
            "due_on": date.fromisoformat(case.due_on) if case.due_on else None,
            "version": case.version,
        }
        statement = dialect.insert(case_dues).values(values)
        kept = ("uscc", "measure_id")
        self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=list(kept),
                set_={k: statement.excluded[k] for k in values if k not in kept},
                where=case_dues.c.version < statement.excluded.version,
            )
        )

    def due_by(self, day: date) -> list[Row[Any]]:
        """The open, assigned cases due on or before `day`."""
        return list(
            self._connection.execute(
                select(case_dues)
                .where(
                    case_dues.c.due_on <= day,
                    case_dues.c.state.in_(OPEN),  # being worked on: its assignee is reminded
                    case_dues.c.assignee.is_not(None),
                )
                .order_by(case_dues.c.due_on, case_dues.c.case_id)
            )
        )
