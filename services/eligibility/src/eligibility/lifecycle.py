"""Use cases of the measure lifecycle: seed, drafts, publish, retire, and keeping the catalogue fresh.

Every change of the catalogue takes the catalogue revision (one change at a time), writes the
version and its policy.measure.v1 event, re-decides the population in the same transaction, and
moves the revision on; every instance reloads its catalogue when it sees the revision move.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row

from eligibility import population
from eligibility.adapters import measure_store as store
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.lifecycle import (
    Lifecycle,
    check_new_version,
    check_publishable,
    draft_document,
    measure_changed,
    retired_document,
)
from eligibility.domain.measures import Measure, measure_from_document
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox
from supportmatch_core.problems import NotFound
from supportmatch_core.topics import MEASURE

CATALOGUE_ACTOR = "catalogue"


class StaleCatalogue(Exception):
    """The catalogue changed since this instance last read it; reload and start again."""


@dataclass(frozen=True, slots=True)
class Changed:
    """A published or retired version, and what re-deciding the population changed."""

    measure: Measure
    revision: int
    rematch: population.Rematch | None


def published_measures(connection: Connection) -> list[Measure]:
    return [measure_from_document(row.document) for row in store.versions(connection)]


def refresh(connection: Connection, catalogue: Catalogue, *, hold: bool = False) -> None:
    """Reload `catalogue` if the database's revision moved; `hold` keeps it from moving until the
    caller's transaction ends, so what the caller decides uses the catalogue now in force."""
    revision = store.revision(connection, hold=hold)
    if revision != catalogue.revision:
        catalogue.replace(published_measures(connection), revision)


def seed(*, uow: UnitOfWork, outbox: Outbox, documents: list[dict[str, Any]]) -> int:
    """Store the shipped versions not stored yet, and shipped edits of versions no administrator
    has touched; announce each. Returns the revision after seeding."""
    with uow.begin() as connection:
        held = store.lock(connection)
        stored = {(row.measure_id, row.version): row for row in store.versions(connection)}
        changed = 0
        for document in documents:
            measure = measure_from_document(document)
            row = stored.get((measure.id, measure.version))
            if row is not None and (
                row.managed_by != store.BY_CATALOGUE or row.digest == measure.digest
            ):
                continue
            if row is None:
                store.add_version(
                    connection,
                    document=document,
                    measure=measure,
                    managed_by=store.BY_CATALOGUE,
                    actor=CATALOGUE_ACTOR,
                )
            else:
                store.change_version(connection, document=document, measure=measure)
            lifecycle = Lifecycle.PUBLISHED if row is None else Lifecycle.CHANGED
            _announce(connection, outbox, document, measure, lifecycle, CATALOGUE_ACTOR)
            changed += 1
        return store.bump(connection, held) if changed else held


def list_drafts(*, uow: UnitOfWork) -> list[Row[Any]]:
    with uow.read() as connection:
        return store.drafts(connection)


def read_draft(*, uow: UnitOfWork, measure_id: str, version: int) -> Row[Any]:
    with uow.read() as connection:
        return _draft(connection, measure_id, version)


def save_draft(
    *, uow: UnitOfWork, measure_id: str, version: int, document: Any, actor: str
) -> tuple[Row[Any], bool]:
    """Create or replace a draft, checked as a published version is; returns it and whether new."""
    stored = draft_document(document, measure_id=measure_id, version=version)
    measure = measure_from_document(stored)
    with uow.begin() as connection:
        check_new_version(measure, _published_of(connection, measure_id))
        exists = store.draft(connection, measure_id, version) is not None
        store.save_draft(connection, document=stored, actor=actor, exists=exists)
        return _draft(connection, measure_id, version), not exists


def discard_draft(*, uow: UnitOfWork, measure_id: str, version: int) -> None:
    with uow.begin() as connection:
        if not store.remove_draft(connection, measure_id, version):
            raise NotFound(
                f"no draft {measure_id} version {version}",
                zh=f"没有措施{measure_id}第{version}版的草稿",
            )


def draft_measure(*, uow: UnitOfWork, measure_id: str, version: int) -> Measure:
    """A stored draft as a measure (for the preview)."""
    return measure_from_document(
        read_draft(uow=uow, measure_id=measure_id, version=version).document
    )


def publish(
    *,
    uow: UnitOfWork,
    outbox: Outbox,
    catalogue: Catalogue,
    measure_id: str,
    version: int,
    actor: str,
    on: date,
    batch: int = 2000,
) -> Changed:
    """Make a draft a published version and re-decide the population: all of it or nothing."""
    with uow.begin() as connection:
        held = store.lock(connection)
        document = _draft(connection, measure_id, version).document
        measure = measure_from_document(document)
        check_publishable(measure, _published_of(connection, measure_id))
        store.add_version(
            connection, document=document, measure=measure, managed_by=store.BY_ADMIN, actor=actor
        )
        store.remove_draft(connection, measure_id, version)
        _announce(connection, outbox, document, measure, Lifecycle.PUBLISHED, actor)
        result = _changed(connection, outbox, held, measure, on, batch)
        measures = published_measures(connection)
    catalogue.replace(measures, result.revision)
    return result


def retire(
    *,
    uow: UnitOfWork,
    outbox: Outbox,
    catalogue: Catalogue,
    measure_id: str,
    version: int,
    effective_on: date,
    actor: str,
    on: date,
) -> Changed:
    """End a published version from `effective_on`; re-decide the population if still in force."""
    with uow.begin() as connection:
        held = store.lock(connection)
        row = store.version(connection, measure_id, version)
        if row is None:
            raise NotFound(
                f"no published measure {measure_id} version {version}",
                zh=f"没有已发布的措施{measure_id}第{version}版",
            )
        document = retired_document(row.document, effective_on=effective_on, today=on)
        measure = measure_from_document(document)
        store.change_version(
            connection,
            document=document,
            measure=measure,
            status=store.RETIRED,
            managed_by=store.BY_ADMIN,
            retired_at=datetime.now(UTC),
            retired_by=actor,
        )
        _announce(connection, outbox, document, measure, Lifecycle.RETIRED, actor)
        result = _changed(connection, outbox, held, measure, on, 2000)
        measures = published_measures(connection)
    catalogue.replace(measures, result.revision)
    return result


def _changed(
    connection: Connection, outbox: Outbox, held: int, measure: Measure, on: date, batch: int
) -> Changed:
    rematched = None
    if measure.in_force_on(on):
        # population.rematch owns its transaction; here it joins the one of the change.
        rematched = population.rematch(
            uow=_Joined(connection), outbox=outbox, measure=measure, on=on, batch=batch
        )
    return Changed(measure, store.bump(connection, held), rematched)


def _announce(
    connection: Connection,
    outbox: Outbox,
    document: dict[str, Any],
    measure: Measure,
    lifecycle: Lifecycle,
    actor: str,
) -> None:
    event = measure_changed(document=document, measure=measure, lifecycle=lifecycle, actor=actor)
    outbox.add(connection, topic=MEASURE, event=event)


def _published_of(connection: Connection, measure_id: str) -> list[Measure]:
    return [measure_from_document(row.document) for row in store.versions(connection, measure_id)]


def _draft(connection: Connection, measure_id: str, version: int) -> Row[Any]:
    row = store.draft(connection, measure_id, version)
    if row is None:
        raise NotFound(
            f"no draft {measure_id} version {version}",
            zh=f"没有措施{measure_id}第{version}版的草稿",
        )
    return row


class _Joined(UnitOfWork):
    """A unit of work that runs inside a transaction already open: it neither begins nor commits."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection.engine)
        self._connection = connection

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        yield self._connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        yield self._connection


class CurrentCatalogue(UnitOfWork):
    """A unit of work whose transactions refuse to start on a catalogue that has moved on: the
    daily tick re-decides with the versions in force, never with ones a publish replaced."""

    def __init__(self, uow: UnitOfWork, catalogue: Catalogue) -> None:
        super().__init__(uow.engine)
        self._catalogue = catalogue

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            if store.revision(connection, hold=True) != self._catalogue.revision:
                raise StaleCatalogue("the catalogue changed; reload it")
            yield connection


class FollowingCatalogue(UnitOfWork):
    """A unit of work that reloads the catalogue, if it moved, as each transaction starts: the
    explainer then knows every version another instance's re-match stored changes under."""

    def __init__(self, uow: UnitOfWork, catalogue: Catalogue) -> None:
        super().__init__(uow.engine)
        self._catalogue = catalogue

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            refresh(connection, self._catalogue)
            yield connection
