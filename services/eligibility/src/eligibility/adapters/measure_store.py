"""Reads and writes measure versions, drafts and the catalogue revision."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from eligibility.adapters.tables import catalogue_revision, measure_drafts, measure_versions
from eligibility.domain.measures import Measure

PUBLISHED, RETIRED = "published", "retired"
BY_CATALOGUE, BY_ADMIN = "catalogue", "admin"


def revision(connection: Connection, *, hold: bool = False) -> int:
    """The catalogue revision; `hold` keeps it from moving until this transaction ends.

    On PostgreSQL `hold` takes a share lock that a catalogue change (`bump`) waits for, and that
    waits for a change in progress; SQLite's write transactions are serialised anyway.
    """
    query = select(catalogue_revision.c.revision).where(catalogue_revision.c.id == 1)
    if hold and connection.dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    return int(connection.execute(query).scalar_one())


def lock(connection: Connection) -> int:
    """Take the catalogue for a change (one change at a time); returns the revision held."""
    query = select(catalogue_revision.c.revision).where(catalogue_revision.c.id == 1)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return int(connection.execute(query).scalar_one())


def bump(connection: Connection, held: int) -> int:
    """Move the revision on after a change made under `lock`; every instance then reloads."""
    connection.execute(
        update(catalogue_revision).where(catalogue_revision.c.id == 1).values(revision=held + 1)
    )
    return held + 1


def versions(connection: Connection, measure_id: str | None = None) -> list[Row[Any]]:
    query = select(measure_versions).order_by(measure_versions.c.measure_id, "version")
    if measure_id is not None:
        query = query.where(measure_versions.c.measure_id == measure_id)
    return list(connection.execute(query))


def version(connection: Connection, measure_id: str, number: int) -> Row[Any] | None:
    v = measure_versions.c
    return connection.execute(
        select(measure_versions).where(v.measure_id == measure_id, v.version == number)
    ).one_or_none()


def add_version(
    connection: Connection,
    *,
    document: dict[str, Any],
    measure: Measure,
    managed_by: str,
    actor: str,
) -> None:
    now = datetime.now(UTC)
    connection.execute(
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


def change_version(
    connection: Connection, *, document: dict[str, Any], measure: Measure, **values: Any
) -> None:
    v = measure_versions.c
    connection.execute(
        update(measure_versions)
        .where(v.measure_id == measure.id, v.version == measure.version)
        .values(document=document, digest=measure.digest, updated_at=datetime.now(UTC), **values)
    )


def drafts(connection: Connection) -> list[Row[Any]]:
    d = measure_drafts.c
    return list(connection.execute(select(measure_drafts).order_by(d.measure_id, d.version)))


def draft(connection: Connection, measure_id: str, number: int) -> Row[Any] | None:
    d = measure_drafts.c
    return connection.execute(
        select(measure_drafts).where(d.measure_id == measure_id, d.version == number)
    ).one_or_none()


def save_draft(
    connection: Connection, *, document: dict[str, Any], actor: str, exists: bool
) -> None:
    d, now = measure_drafts.c, datetime.now(UTC)
    values = {"document": document, "updated_at": now, "updated_by": actor}
    if exists:
        connection.execute(
            update(measure_drafts)
            .where(d.measure_id == document["id"], d.version == document["version"])
            .values(values)
        )
    else:
        connection.execute(
            insert(measure_drafts).values(
                measure_id=document["id"], version=document["version"], created_at=now, **values
            )
        )


def remove_draft(connection: Connection, measure_id: str, number: int) -> bool:
    d = measure_drafts.c
    result = connection.execute(
        delete(measure_drafts).where(d.measure_id == measure_id, d.version == number)
    )
    return bool(result.rowcount)
