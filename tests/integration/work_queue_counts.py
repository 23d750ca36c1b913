"""A step of the work queue's scenario (test_work_queue.py) over its five firms: how far the
counts go, read through the adapter with a cap and a number of rows to look among small enough
for five firms (ADR 0039)."""

from __future__ import annotations

from dataclasses import replace

from eligibility.adapters.queue import WorkQueue
from eligibility.domain.decision import Status
from eligibility.domain.queue import QueueFilter, QueuePage
from supportmatch_core.db import create_database_engine
from tests.clock import TODAY
from tests.integration.system import InProcessSystem

ALL = QueueFilter(measure_id="vat-credit-refund")  # every province, as an administrator's


def counts_stop_at_the_cap_or_the_rows_read(system: InProcessSystem, usccs: list[str]) -> None:
    """Past the cap (or the rows a count filtered on the place looks among) a count means "more
    than the cap" ("at least"), the missing facts are not counted, and the pages still follow
    one another in USCC order. `usccs`: the scenario's firms, in order."""
    engine = create_database_engine(system.urls["eligibility"])

    def page(wanted: QueueFilter, *, after: str = "", limit: int = 10, **sizes: int) -> QueuePage:
        with engine.connect() as connection:
            return WorkQueue(connection, **sizes).page(wanted, after=after, limit=limit, on=TODAY)

    lacking = replace(ALL, missing="tax_credit_grade")
    section = replace(ALL, industry="C")
    try:
        first = page(ALL, limit=2, cap=2)
        rest = page(ALL, after=first.after or "", cap=2)
        narrowed = page(lacking, cap=2)
        partly = page(lacking, read=2)
        whole = page(lacking, read=5)
        rare = page(replace(ALL, industry="F"), read=2)
        placed = page(section, read=2)
        past_cap = page(section, limit=1, cap=1, read=3)
        city = page(replace(ALL, city="深圳市"), read=1)
    finally:
        engine.dispose()
    assert first.counts == {Status.ELIGIBLE: 1, Status.POSSIBLY_ELIGIBLE: 3}
    assert first.capped is True
    assert first.missing_counts is None
    assert [f.uscc for f in first.firms + rest.firms] == usccs
    # A filter on a missing fact does not count the rows it leaves out past the cap either.
    assert len(narrowed.firms) == 4
    assert narrowed.missing_counts is None
    # Filtered on the place, a count looks among so many rows of each status: it stops there,
    # and says how many it found so far; the pages still list every firm.
    assert partly.counts == {Status.ELIGIBLE: 0, Status.POSSIBLY_ELIGIBLE: 2}
    assert partly.partly_counted == {Status.POSSIBLY_ELIGIBLE}
    assert partly.capped is True
    # The counts per missing fact leave the missing fact out: no filter on the place, all read.
    assert (partly.missing_counts or {}).get("tax_credit_grade") == 4
    assert len(partly.firms) == 4
    assert whole.counts == {Status.ELIGIBLE: 0, Status.POSSIBLY_ELIGIBLE: 4}
    assert (whole.partly_counted, whole.capped) == (frozenset(), False)
    # None kept of the rows read: counted in full, so the pages know the provinces holding none.
    assert rare.counts == {Status.ELIGIBLE: 0, Status.POSSIBLY_ELIGIBLE: 0}
    assert (rare.partly_counted, rare.firms) == (frozenset(), [])
    # A list partly counted does not count its missing facts; the cap still comes first.
    assert placed.counts == {Status.ELIGIBLE: 1, Status.POSSIBLY_ELIGIBLE: 2}
    assert placed.partly_counted == {Status.POSSIBLY_ELIGIBLE}
    assert placed.missing_counts is None
    assert past_cap.counts == {Status.ELIGIBLE: 1, Status.POSSIBLY_ELIGIBLE: 2}
    assert (past_cap.partly_counted, past_cap.capped, len(past_cap.firms)) == (frozenset(), True, 1)
    # A city is counted in full: its province's rows put the capital's firms first.
    assert (city.counts[Status.POSSIBLY_ELIGIBLE], city.partly_counted) == (1, frozenset())
