"""Deciding firms on every measure in force when their profiles change, a batch at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Decision, Recorded, Status, decide
from eligibility.domain.events import eligibility_changed
from eligibility.domain.facts import Facts
from eligibility.domain.queue import place_of
from eligibility.use_cases.explain import complete_firm
from eligibility.use_cases.ports import DecideWork
from supportmatch_core.contracts.determination import EligibilityChanged


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A firm's profile as eligibility decides on it."""

    uscc: str
    version: int
    facts: Facts
    name: str | None = None
    city: str | None = None


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
    """`decide_firms` of one snapshot."""
    snapshot = Snapshot(uscc, version, facts, name, city)
    return decide_firms(work, [snapshot], catalogue=catalogue, on=on)


def decide_firms(
    work: DecideWork, snapshots: Sequence[Snapshot], *, catalogue: Catalogue, on: date
) -> int:
    """Store each firm's facts of its profile version and decide every measure in force; returns
    how many statuses changed. The effect is that of deciding the snapshots one by one in their
    order: a firm's older version than the one held is ignored (snapshots can arrive out of order
    after a relay retry), and several of one firm are decided in turn."""
    return sum(_decide_round(work, one_each, catalogue, on) for one_each in _rounds(snapshots))


def _rounds(snapshots: Sequence[Snapshot]) -> Iterator[list[Snapshot]]:
    """The snapshots in rounds holding at most one of each firm, each firm's in their order."""
    pending = list(snapshots)
    while pending:
        round_: list[Snapshot] = []
        later: list[Snapshot] = []
        seen: set[str] = set()
        for snapshot in pending:
            (later if snapshot.uscc in seen else round_).append(snapshot)
            seen.add(snapshot.uscc)
        yield round_
        pending = later


def _decide_round(
    work: DecideWork, snapshots: list[Snapshot], catalogue: Catalogue, on: date
) -> int:
    work.firms.lock_for_writing()
    known = work.firms.versions([s.uscc for s in snapshots])
    fresh = [s for s in snapshots if s.uscc not in known or known[s.uscc] < s.version]
    for s in fresh:
        if s.uscc in known:
            # What a population re-match stored unexplained was decided on the facts about to go.
            complete_firm(work, uscc=s.uscc, catalogue=catalogue)
        work.firms.save(
            uscc=s.uscc,
            version=s.version,
            facts=s.facts,
            exists=s.uscc in known,
            name=s.name,
            city=s.city,
        )
    held = work.determinations.held([s.uscc for s in fresh])
    in_force = catalogue.in_force(on)
    decisions = {s.uscc: [decide(measure, s.facts, on) for measure in in_force] for s in fresh}
    # No row reads "ineligible" once the measure was decided for everyone (ADR 0013): a first
    # "ineligible" is neither stored nor announced, and a first other status follows one.
    decided = work.determinations.decided_for_everyone(
        {
            d.measure.id
            for s in fresh
            for d in decisions[s.uscc]
            if d.measure.id not in held[s.uscc] and d.status is not Status.INELIGIBLE
        }
    )
    refreshed: list[tuple[str, Decision]] = []
    recorded: list[Recorded] = []
    events: list[EligibilityChanged] = []
    for s in fresh:
        for decision in decisions[s.uscc]:
            stored = held[s.uscc].get(decision.measure.id)
            if stored is None and decision.status is Status.INELIGIBLE:
                continue
            if stored is not None and stored.status == decision.status:
                # Same status is not news; rewrite only if the facts used or the version changed.
                if (stored.facts_digest, stored.measure_version) != (
                    decision.facts_digest,
                    decision.measure.version,
                ):
                    refreshed.append((s.uscc, decision))
                continue
            if stored is not None:
                before: Status | None = stored.status
            else:
                before = Status.INELIGIBLE if decision.measure.id in decided else None
            recorded.append(Recorded(s.uscc, decision, before, stored=stored is not None))
            events.append(
                eligibility_changed(
                    uscc=s.uscc,
                    province_code=s.facts["province_code"],
                    decision=decision,
                    previous=before,
                    profile_version=s.version,
                )
            )
    # Each row written carries its firm's place in the work queue; a firm that moved (another
    # city, size or industry) moves there with its other rows too.
    places = {s.uscc: place_of(s.facts, s.city) for s in fresh}
    work.determinations.refresh(refreshed, places)
    work.determinations.record(recorded, places)
    work.determinations.follow_projection([s.uscc for s in fresh])
    work.outbox.publish(events)
    return len(recorded)
