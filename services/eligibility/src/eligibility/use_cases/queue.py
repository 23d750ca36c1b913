"""The caseworkers' work queue: which firms of their provinces could get a measure, and what each
still has to give."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime

from eligibility.domain.catalogue import Catalogue, NoMeasure
from eligibility.domain.decision import askable
from eligibility.domain.queue import QUEUED, QueuedFirm, QueueFilter, QueuePage
from eligibility.domain.rematches import explained
from eligibility.use_cases.ports import QueueWork
from supportmatch_core.access import visible_to
from supportmatch_core.auth import Principal
from supportmatch_reference.regions import PROVINCES


def work_queue(
    work: QueueWork,
    *,
    principal: Principal,
    wanted: QueueFilter,
    catalogue: Catalogue,
    after: str,
    limit: int,
    on: date,
) -> QueuePage:
    """One page of the queue, in USCC order, within the provinces the caller serves.

    A row a population re-match stored unexplained is explained here from the firm's facts, as
    the firm's own determinations are (ADR 0009), so its missing facts are shown at once.
    """
    narrowed = _narrowed(principal, wanted, catalogue)
    if narrowed is None:
        # No version of the measure asks for the missing fact: nobody lacks it for this measure.
        return QueuePage(firms=[], after=None, counts=dict.fromkeys(QUEUED, 0), missing_counts=None)
    page = work.queue.page(narrowed, after=after, limit=limit, on=on)
    return replace(page, firms=[_explained(catalogue, firm) for firm in page.firms])


def every_firm(
    *, principal: Principal, wanted: QueueFilter, catalogue: Catalogue, on: date
) -> Callable[[QueueWork], Iterator[QueuedFirm]]:
    """Every firm of the queue within the caller's provinces (an export), province after
    province, eligible before possibly eligible and in USCC order within each, explained as a
    page explains them.

    The measure is checked now (NoMeasure), before anything is read or sent; the firms are read
    when the reader returned is given a transaction, one batch at a time."""
    narrowed = _narrowed(principal, wanted, catalogue)

    def read(work: QueueWork) -> Iterator[QueuedFirm]:
        if narrowed is not None:
            for firm in work.queue.every(narrowed, on=on):
                yield _explained(catalogue, firm)

    return read


def _narrowed(
    principal: Principal, wanted: QueueFilter, catalogue: Catalogue
) -> QueueFilter | None:
    """The filter within the provinces the caller serves, a region made its provinces (their
    index reads them); None when no version of the measure asks for the missing fact asked."""
    if not catalogue.versions(wanted.measure_id):
        raise NoMeasure(wanted.measure_id)
    if wanted.missing is not None and wanted.missing not in askable_facts(
        catalogue, wanted.measure_id
    ):
        return None
    for provinces in (visible_to(principal).provinces, _in_region(wanted.region)):
        if provinces is not None:
            narrowed = provinces if wanted.provinces is None else wanted.provinces & provinces
            wanted = replace(wanted, provinces=narrowed)
    return replace(wanted, region=None)


def _in_region(region: str | None) -> frozenset[str] | None:
    if region is None:
        return None
    return frozenset(p.code for p in PROVINCES if p.region.value == region)


def _explained(catalogue: Catalogue, firm: QueuedFirm) -> QueuedFirm:
    decision = None if firm.facts is None else explained(catalogue, firm.facts, firm)
    if decision is None:
        return firm
    missing = tuple(m["fact"] for m in decision.missing_facts)
    return replace(firm, missing=missing, explained=True, facts=None)


def askable_facts(catalogue: Catalogue, measure_id: str) -> list[str]:
    """Every fact any version of the measure may ask a firm for: the choices of the missing-fact
    filter when the firms lacking each cannot be counted exactly."""
    return list(dict.fromkeys(f for m in catalogue.versions(measure_id) for f in askable(m)))


def newly_eligible(
    work: QueueWork,
    *,
    principal: Principal,
    catalogue: Catalogue,
    measure_id: str,
    since: datetime,
) -> dict[str, int]:
    """Firms per province of the caller's that became eligible for the measure since `since`."""
    if not catalogue.versions(measure_id):
        raise NoMeasure(measure_id)
    return work.queue.newly_eligible(measure_id, visible_to(principal).provinces, since)
