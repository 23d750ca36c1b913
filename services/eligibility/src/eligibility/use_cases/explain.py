"""Explaining the determinations a re-match stored by status alone, and announcing them.

Until the firm's facts change, those facts are the ones the status was decided on, so `decide()`
with the recorded measure version and day gives the same status and its explanation; whatever
changes a firm's facts completes its pending rows first (`complete_firm`). A first decision gets
its history row and event here, when it is explained (ADR 0015).
"""

from __future__ import annotations

from collections.abc import Sequence

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Decision, Status
from eligibility.domain.events import eligibility_changed
from eligibility.domain.measures import Measure
from eligibility.domain.rematches import Unexplained, explained
from eligibility.use_cases.catalogue import refresh
from eligibility.use_cases.ports import ExplainWork, UnitOfWork
from supportmatch_core.contracts.determination import EligibilityChanged


def explain_pending(
    *, uow: UnitOfWork, catalogue: Catalogue, batch: int = 2000, follow: bool = False
) -> int:
    """Explain and publish what re-matches stored unexplained, a transaction per batch; how many.
    With `follow`, each transaction first reloads the catalogue if its revision moved.

    The history rows first, oldest first, then the first decisions by the queue of their firms'
    ranges (about a quarter of `batch` firms a transaction: a first re-match of the catalogue
    gives a firm about 18).
    """
    done = 0
    while True:
        with uow.begin() as work:
            if follow:
                refresh(work, catalogue)
            pending = work.explanations.pending(limit=batch)
            _complete(work, catalogue, pending)
        done += len(pending)
        if len(pending) < batch:
            break
    while True:
        with uow.begin() as work:
            if follow:
                refresh(work, catalogue)
            ranges = work.ranges.ranges_for(batch // 4)
            claimed = work.ranges.claim(ranges)
            rows = work.explanations.unrecorded_in(claimed) if claimed else []
            _complete(work, catalogue, rows)
            released = work.ranges.release(claimed)
        done += len(rows)
        # Ranges left queued with nothing done: another transaction holds their rows.
        if len(claimed) < ranges or not (rows or released):
            break
    return done


def announce_rematch(work: ExplainWork, *, measure: Measure) -> int:
    """Explain and publish, in the caller's transaction, the changes its re-match of `measure`
    stored. The firms stay queued: the explainer finds their first decisions recorded."""
    catalogue, done = Catalogue([measure]), 0
    while rows := work.explanations.pending(measure=measure, limit=2000):
        _complete(work, catalogue, rows)
        done += len(rows)
    after = ""
    while rows := work.explanations.unrecorded_of_measure(measure, after=after, limit=2000):
        _complete(work, catalogue, rows)
        done += len(rows)
        after = rows[-1].uscc
    return done


def complete_firm(work: ExplainWork, *, uscc: str, catalogue: Catalogue) -> None:
    """Explain (and publish) the firm's pending rows on its facts, before they change."""
    _complete(work, catalogue, work.explanations.pending(uscc=uscc))
    _complete(work, catalogue, work.explanations.unrecorded_of_firm(uscc))
    left = work.explanations.unlogged_of_firm(uscc)
    work.explanations.explain_in_place([(r, explained(catalogue, r.facts, r)) for r in left])


def _complete(work: ExplainWork, catalogue: Catalogue, rows: Sequence[Unexplained]) -> None:
    """Explain each row, store the explanation and publish each change explained."""
    done = [(row, explained(catalogue, row.facts, row)) for row in rows]
    work.explanations.complete(done)
    events = [_event(row, decision) for row, decision in done if decision is not None]
    work.outbox.publish(events)


def _event(row: Unexplained, decision: Decision) -> EligibilityChanged:
    return eligibility_changed(
        uscc=row.uscc,
        province_code=row.facts["province_code"],
        decision=decision,
        previous=Status(row.previous_status) if row.previous_status else None,
        profile_version=row.profile_version,
    )
