"""The caseworkers' cases as their events tell them, one row per firm and measure."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from eligibility.adapters.tables import case_states


class CaseStates:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def follow(
        self, *, uscc: str, measure_id: str, state: str, assignee: str | None, version: int
    ) -> None:
        """Keep the case at `version` unless a later version is held (events may come twice,
        and a replayed topic brings old ones)."""
        dialect = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(case_states).values(
            uscc=uscc, measure_id=measure_id, state=state, assignee=assignee, version=version
        )
        self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["measure_id", "uscc"],
                set_={
                    "state": statement.excluded.state,
                    "assignee": statement.excluded.assignee,
                    "version": statement.excluded.version,
                },
                where=case_states.c.version < statement.excluded.version,
            )
        )
