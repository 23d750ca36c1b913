"""Reads and writes measure versions, drafts and the catalogue revision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from eligibility.adapters.tables import catalogue_revision, measure_drafts, measure_versions
from eligibility.domain.lifecycle import (
    BY_ADMIN,
    PUBLISHED,
    RETIRED,
    Draft,
    LoggedStep,
    StoredVersion,
)
from eligibility.domain.measures import Measure


class MeasureStore:
    """Measure versions, drafts and the catalogue revision, within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def revision(self, *, hold: bool = False) -> int:
        """The catalogue revision; `hold` keeps it from moving until this transaction ends.

        On PostgreSQL `hold` takes a share lock that a catalogue change (`bump`) waits for, and that
        waits for a change in progress; SQLite's write transactions are serialised anyway.
        """
        query = select(catalogue_revision.c.revision).where(catalogue_revision.c.id == 1)
        if hold and self._connection.dialect.name == "postgresql":
            query = query.with_for_update(read=True)
        return int(self._connection.execute(query).scalar_one())

    def lock(self) -> int:
        """Take the catalogue for a change (one change at a time); returns the revision held."""
        query = select(catalogue_revision.c.revision).where(catalogue_revision.c.id == 1)
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update()
        return int(self._connection.execute(query).scalar_one())

    def bump(self, held: int) -> int:
        """Move the revision on after a change made under `lock`; every instance then reloads."""
        self._connection.execute(
            update(catalogue_revision).where(catalogue_revision.c.id == 1).values(revision=held + 1)
        )
        return held + 1

    def versions(self, measure_id: str | None = None) -> list[StoredVersion]:
        query = select(measure_versions).order_by(measure_versions.c.measure_id, "version")
        if measure_id is not None:
            query = query.where(measure_versions.c.measure_id == measure_id)
        return [_version(row) for row in self._connection.execute(query)]

    def version(self, measure_id: str, number: int) -> StoredVersion | None:
        v = measure_versions.c
        row = self._connection.execute(
            select(measure_versions).where(v.measure_id == measure_id, v.version == number)
        ).one_or_none()
        return None if row is None else _version(row)

    def add_version(
        self,
        *,
        document: dict[str, Any],
        measure: Measure,
        managed_by: str,
        actor: str,
    ) -> None:
        now = datetime.now(UTC)
        self._connection.execute(
            insert(measure_versions).values(
                measure_id=measure.id,
                version=measure.version,
                document=document,
                digest=measure.digest,
                status=PUBLISHED,
                managed_by=managed_by,
                published_at=now,
                published_by=actor,
                updated_at=now,
            )
        )

    def change_version(self, *, document: dict[str, Any], measure: Measure) -> None:
        """A shipped version's document edited in a release."""
        self._update(document, measure, {})

    def retire_version(self, *, document: dict[str, Any], measure: Measure, actor: str) -> None:
        """An administrator ended the version: it is theirs from now on."""
        retired = {"status": RETIRED, "managed_by": BY_ADMIN, "retired_by": actor}
        self._update(document, measure, {**retired, "retired_at": datetime.now(UTC)})

    def _update(self, document: dict[str, Any], measure: Measure, values: dict[str, Any]) -> None:
        v = measure_versions.c
        now = datetime.now(UTC)
        self._connection.execute(
            update(measure_versions)
            .where(v.measure_id == measure.id, v.version == measure.version)
            .values(document=document, digest=measure.digest, updated_at=now, **values)
        )

    def log(self, limit: int) -> list[LoggedStep]:
        """The latest publications and retirements, newest first."""
        v = measure_versions.c
        steps: list[LoggedStep] = []
        for step, at, by in (
            (PUBLISHED, v.published_at, v.published_by),
            (RETIRED, v.retired_at, v.retired_by),
        ):
            query = (
                select(v.measure_id, v.version, v.document, at.label("at"), by.label("by"))
                .where(at.is_not(None))
                .order_by(at.desc())
                .limit(limit)
            )
            steps += [_step(step, row) for row in self._connection.execute(query)]
        return sorted(steps, key=lambda s: s.at, reverse=True)[:limit]

    def drafts(self) -> list[Draft]:
        d = measure_drafts.c
        query = select(measure_drafts).order_by(d.measure_id, d.version)
        return [Draft(**row._asdict()) for row in self._connection.execute(query)]

    def draft(self, measure_id: str, number: int) -> Draft | None:
        d = measure_drafts.c
        row = self._connection.execute(
            select(measure_drafts).where(d.measure_id == measure_id, d.version == number)
        ).one_or_none()
        return None if row is None else Draft(**row._asdict())

    def save_draft(self, *, document: dict[str, Any], actor: str, exists: bool) -> None:
        d, now = measure_drafts.c, datetime.now(UTC)
        values = {"document": document, "updated_at": now, "updated_by": actor}
        if exists:
            self._connection.execute(
                update(measure_drafts)
                .where(d.measure_id == document["id"], d.version == document["version"])
                .values(values)
            )
        else:
            self._connection.execute(
                insert(measure_drafts).values(
                    measure_id=document["id"], version=document["version"], created_at=now, **values
                )
            )

    def remove_draft(self, measure_id: str, number: int) -> bool:
        d = measure_drafts.c
        result = self._connection.execute(
            delete(measure_drafts).where(d.measure_id == measure_id, d.version == number)
        )
        return bool(result.rowcount)


def _step(step: str, row: Row[Any, Any, Any, Any, Any]) -> LoggedStep:
    doc = row.document
    valid_to = doc.get("valid_to")
    return LoggedStep(
        measure_id=row.measure_id,
        version=row.version,
        step=step,
        at=row.at,
        by=row.by,
        title_zh=doc["title_zh"],
        title_en=doc["title_en"],
        valid_from=date.fromisoformat(doc["valid_from"]),
        valid_to=date.fromisoformat(valid_to) if valid_to else None,
    )


def _version(row: Row[Any]) -> StoredVersion:
    return StoredVersion(row.measure_id, row.version, row.document, row.digest, row.managed_by)
