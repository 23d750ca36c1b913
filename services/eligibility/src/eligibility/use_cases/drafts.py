"""An administrator's drafts of new measure versions: list, read, save, discard."""

from __future__ import annotations

from eligibility.domain.lifecycle import (
    Draft,
    LoggedStep,
    NoDraft,
    NoPublishedVersion,
    check_new_version,
    draft_document,
)
from eligibility.domain.measures import Measure, measure_from_document
from eligibility.use_cases.catalogue import published_measures
from eligibility.use_cases.ports import Work


def list_drafts(work: Work) -> list[Draft]:
    return work.measures.drafts()


def read_draft(work: Work, *, measure_id: str, version: int) -> Draft:
    draft = work.measures.draft(measure_id, version)
    if draft is None:
        raise NoDraft(measure_id, version)
    return draft


def save_draft(
    work: Work, *, measure_id: str, version: int, document: object, actor: str
) -> tuple[Draft, bool]:
    """Create or replace a draft, checked as a published version is; returns it and whether new."""
    check_draft(work, measure_id=measure_id, version=version, document=document)
    stored = draft_document(document, measure_id=measure_id, version=version)
    exists = work.measures.draft(measure_id, version) is not None
    work.measures.save_draft(document=stored, actor=actor, exists=exists)
    return read_draft(work, measure_id=measure_id, version=version), not exists


def discard_draft(work: Work, *, measure_id: str, version: int) -> None:
    if not work.measures.remove_draft(measure_id, version):
        raise NoDraft(measure_id, version)


def draft_measure(work: Work, *, measure_id: str, version: int) -> Measure:
    """A stored draft as a measure (for the preview)."""
    return measure_from_document(read_draft(work, measure_id=measure_id, version=version).document)


def check_draft(work: Work, *, measure_id: str, version: int, document: object) -> Measure:
    """A document read and checked as `save_draft` does, without storing it: the console's
    check as the administrator types."""
    measure = measure_from_document(
        draft_document(document, measure_id=measure_id, version=version)
    )
    check_new_version(measure, published_measures(work, measure_id))
    return measure


def catalogue_log(work: Work, *, limit: int) -> list[LoggedStep]:
    return work.measures.log(limit)


def version_document(work: Work, *, measure_id: str, version: int) -> dict[str, object]:
    stored = work.measures.version(measure_id, version)
    if stored is None:
        raise NoPublishedVersion(measure_id, version)
    return stored.document
