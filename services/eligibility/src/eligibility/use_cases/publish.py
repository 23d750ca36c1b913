"""Changing the catalogue: seed the shipped versions, publish a draft, retire a version.

Every change takes the catalogue revision (one change at a time), writes the version and its
policy.measure.v1 event, re-decides the population in the same transaction, and moves the
revision on; every instance reloads its catalogue when it sees the revision move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eligibility.domain.differences import differences
from eligibility.domain.lifecycle import (
    BY_ADMIN,
    BY_CATALOGUE,
    Lifecycle,
    NoPublishedVersion,
    check_publishable,
    measure_changed,
    retired_document,
)
from eligibility.domain.measures import Measure, measure_from_document
from eligibility.domain.rematches import Rematch
from eligibility.use_cases.catalogue import published_measures
from eligibility.use_cases.drafts import read_draft
from eligibility.use_cases.ports import Work
from eligibility.use_cases.rematch import rematch

CATALOGUE_ACTOR = "catalogue"


@dataclass(frozen=True, slots=True)
class Changed:
    """A published or retired version, and what re-deciding the population changed."""

    measure: Measure
    revision: int
    rematch: Rematch | None


def seed(work: Work, *, documents: list[dict[str, object]]) -> int:
    """Store the shipped versions not stored yet, and shipped edits of versions no administrator
    has touched; announce each. Returns the revision after seeding."""
    held = work.measures.lock()
    stored = {(v.measure_id, v.version): v for v in work.measures.versions()}
    shipped = [measure_from_document(document) for document in documents]
    known = {(m.id, m.version): m for m in shipped}
    changed = 0
    for document, measure in zip(documents, shipped, strict=True):
        row = stored.get((measure.id, measure.version))
        if row is not None and (row.managed_by != BY_CATALOGUE or row.digest == measure.digest):
            continue
        if row is None:
            work.measures.add_version(
                document=document, measure=measure, managed_by=BY_CATALOGUE, actor=CATALOGUE_ACTOR
            )
        else:
            work.measures.change_version(document=document, measure=measure)
        lifecycle = Lifecycle.PUBLISHED if row is None else Lifecycle.CHANGED
        before = (
            measure_from_document(row.document)
            if row is not None
            else known.get((measure.id, measure.version - 1))
        )
        _announce(work, document, measure, lifecycle, CATALOGUE_ACTOR, before=before)
        changed += 1
    return work.measures.bump(held) if changed else held


def publish(
    work: Work,
    *,
    measure_id: str,
    version: int,
    actor: str,
    on: date,
    replaces: int | None = None,
) -> Changed:
    """Make a draft a published version and re-decide the population: all of it or nothing.
    `replaces` names the version in force that ends the day before the draft begins."""
    held = work.measures.lock()
    document = read_draft(work, measure_id=measure_id, version=version).document
    measure = measure_from_document(document)
    # What the version changes is said against the latest one as it stood, before it was ended.
    before = max(published_measures(work, measure_id), key=lambda m: m.version, default=None)
    if replaces is not None:
        _end(work, measure_id, replaces, effective_on=measure.valid_from, actor=actor, on=on)
    check_publishable(measure, published_measures(work, measure_id))
    work.measures.add_version(document=document, measure=measure, managed_by=BY_ADMIN, actor=actor)
    work.measures.remove_draft(measure_id, version)
    _announce(work, document, measure, Lifecycle.PUBLISHED, actor, before=before)
    return _changed(work, held, measure, on)


def retire(
    work: Work,
    *,
    measure_id: str,
    version: int,
    effective_on: date,
    actor: str,
    on: date,
) -> Changed:
    """End a published version from `effective_on`; re-decide the population if still in force."""
    held = work.measures.lock()
    measure = _end(work, measure_id, version, effective_on=effective_on, actor=actor, on=on)
    return _changed(work, held, measure, on)


def _end(
    work: Work, measure_id: str, version: int, *, effective_on: date, actor: str, on: date
) -> Measure:
    stored = work.measures.version(measure_id, version)
    if stored is None:
        raise NoPublishedVersion(measure_id, version)
    document = retired_document(stored.document, effective_on=effective_on, today=on)
    measure = measure_from_document(document)
    work.measures.retire_version(document=document, measure=measure, actor=actor)
    before = measure_from_document(stored.document)
    _announce(work, document, measure, Lifecycle.RETIRED, actor, before=before)
    return measure


def _changed(work: Work, held: int, measure: Measure, on: date) -> Changed:
    """Re-decide the population in the change's transaction and move the revision on: every
    instance (this one too, once the caller's transaction committed) reloads its catalogue."""
    rematched = rematch(work, measure=measure, on=on) if measure.in_force_on(on) else None
    return Changed(measure, work.measures.bump(held), rematched)


def _announce(
    work: Work,
    document: dict[str, object],
    measure: Measure,
    lifecycle: Lifecycle,
    actor: str,
    *,
    before: Measure | None,
) -> None:
    event = measure_changed(
        document=document,
        measure=measure,
        lifecycle=lifecycle,
        actor=actor,
        changes=differences(before, measure),
    )
    work.outbox.publish([event])
