"""The enterprise projection: each firm's facts in typed columns, and its certifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from eligibility.adapters.tables import (
    enterprise_certifications,
    enterprise_facts,
    enterprise_name_grams,
)
from eligibility.domain.facts import DATE, REGISTRY, Facts
from eligibility.domain.queue import name_grams

_COLUMNS = [name for name, fact in REGISTRY.items() if fact.comparable]
_DAYS = [name for name in _COLUMNS if REGISTRY[name].type == DATE]


class Firms:
    """Reads and writes the projection within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock_for_writing(self) -> None:
        """Wait for a population re-match in progress (it holds the projection in SHARE mode)."""
        if self._connection.dialect.name == "postgresql":
            # The lock an UPDATE takes anyway, taken first: row locks taken before it could
            # otherwise deadlock with the re-match's writes.
            self._connection.exec_driver_sql("LOCK TABLE enterprise_facts IN ROW EXCLUSIVE MODE")

    def versions(self, usccs: Sequence[str]) -> dict[str, int]:
        """The profile version each known firm's facts come from (firms not known are left out)."""
        e = enterprise_facts.c
        rows = self._connection.execute(select(e.uscc, e.profile_version).where(e.uscc.in_(usccs)))
        return {row.uscc: row.profile_version for row in rows}

    def facts(self, uscc: str) -> dict[str, Any] | None:
        """The firm's facts as last projected, or None when the firm is not known here."""
        facts = self._connection.execute(
            select(enterprise_facts.c.facts).where(enterprise_facts.c.uscc == uscc)
        ).scalar_one_or_none()
        return None if facts is None else dict(facts)

    def save(
        self,
        *,
        uscc: str,
        version: int,
        facts: Facts,
        exists: bool,
        name: str | None = None,
        city: str | None = None,
    ) -> None:
        """Store the firm's facts in their typed columns, and its certifications beside them."""
        connection = self._connection
        values = {column: facts.get(column) for column in _COLUMNS}
        for column in _DAYS:  # ISO days in the facts, dates in their columns
            day = values[column]
            values[column] = date.fromisoformat(day) if isinstance(day, str) else None
        values |= {
            "profile_version": version,
            "facts": facts,
            "name": name,
            "city": city,
            "updated_at": datetime.now(UTC),
        }
        if exists:
            connection.execute(
                update(enterprise_facts).where(enterprise_facts.c.uscc == uscc).values(values)
            )
            connection.execute(
                delete(enterprise_certifications).where(enterprise_certifications.c.uscc == uscc)
            )
            connection.execute(
                delete(enterprise_name_grams).where(enterprise_name_grams.c.uscc == uscc)
            )
        else:
            connection.execute(insert(enterprise_facts), {"uscc": uscc, **values})
        grams = [{"gram": gram, "uscc": uscc} for gram in sorted(name_grams(name or ""))]
        if grams:
            connection.execute(insert(enterprise_name_grams), grams)
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
