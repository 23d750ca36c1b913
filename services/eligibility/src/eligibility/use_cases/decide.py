"""Deciding one firm on every measure in force when its profile changes."""

from __future__ import annotations

from datetime import date

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Status, decide
from eligibility.domain.events import eligibility_changed
from eligibility.domain.facts import Facts
from eligibility.use_cases.explain import complete_firm
from eligibility.use_cases.ports import DecideWork


def decide_firm(
    work: DecideWork,
    *,
    uscc: str,
    version: int,
    facts: Facts,
    catalogue: Catalogue,
    on: date,
    name: str | None = None,
    city: str | None = None,
) -> int:
    """Store the firm's facts of profile `version` and decide every measure in force; returns
    how many statuses changed. An older version than the one held is ignored (snapshots can
    arrive out of order after a relay retry)."""
    work.firms.lock_for_writing()
    known_version = work.firms.version(uscc)
    if known_version is not None and known_version >= version:
        return 0
    if known_version is not None:
        # What a population re-match stored unexplained was decided on the facts about to go.
        complete_firm(work, uscc=uscc, catalogue=catalogue)
    work.firms.save(
        uscc=uscc,
        version=version,
        facts=facts,
        exists=known_version is not None,
        name=name,
        city=city,
    )
    held = work.determinations.held(uscc)
    decisions = [decide(measure, facts, on) for measure in catalogue.in_force(on)]
    # No row reads "ineligible" once the measure was decided for everyone (ADR 0013): a first
    # "ineligible" is neither stored nor announced, and a first other status follows one.
    decided = work.determinations.decided_for_everyone(
        d.measure.id
        for d in decisions
        if d.measure.id not in held and d.status is not Status.INELIGIBLE
    )
    changed = 0
    for decision in decisions:
        stored = held.get(decision.measure.id)
        if stored is None and decision.status is Status.INELIGIBLE:
            continue
        if stored is not None and stored.status == decision.status:
            # Same status is not news; rewrite only if the facts used or the version changed.
            if (stored.facts_digest, stored.measure_version) != (
                decision.facts_digest,
                decision.measure.version,
            ):
                work.determinations.refresh(uscc, decision)
            continue
        if stored is not None:
            before: Status | None = stored.status
        else:
            before = Status.INELIGIBLE if decision.measure.id in decided else None
        work.determinations.record(uscc, decision, previous=before, stored=stored is not None)
        event = eligibility_changed(
            uscc=uscc,
            province_code=facts["province_code"],
            decision=decision,
            previous=before,
            profile_version=version,
        )
        work.outbox.publish([event])
        changed += 1
    return changed
