"""Keeping an instance's catalogue the one in force: reload when the database's revision moves."""

from __future__ import annotations

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.lifecycle import StaleCatalogue
from eligibility.domain.measures import Measure, measure_from_document
from eligibility.use_cases.ports import Work


def published_measures(work: Work, measure_id: str | None = None) -> list[Measure]:
    return [measure_from_document(v.document) for v in work.measures.versions(measure_id)]


def refresh(work: Work, catalogue: Catalogue, *, hold: bool = False) -> None:
    """Reload `catalogue` if the database's revision moved; `hold` keeps it from moving until the
    transaction ends, so what the caller decides uses the catalogue now in force."""
    revision = work.measures.revision(hold=hold)
    if revision != catalogue.revision:
        catalogue.replace(published_measures(work), revision)


def ensure_current(work: Work, catalogue: Catalogue) -> None:
    """Refuse to go on with a catalogue another instance has moved on from (held until the
    transaction ends): the daily re-match decides with the versions in force, never replaced ones."""
    if work.measures.revision(hold=True) != catalogue.revision:
        raise StaleCatalogue("the catalogue changed; reload it")
