"""Use cases of the eligibility service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection

from eligibility import explaining
from eligibility.adapters import repository
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Decision, Status, decide
from eligibility.domain.events import eligibility_changed
from eligibility.domain.facts import facts_of
from supportmatch_core.auth import Principal
from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.problems import UnknownEnterprise
from supportmatch_core.topics import DETERMINATION


def profile_changed_handler(
    *, outbox: Outbox, catalogue: Catalogue, today: Callable[[], date]
) -> Callable[[Connection, Event], None]:
    """The consumer handler for enterprise.profile.v1: re-decide the firm on every measure in force."""

    def handle(connection: Connection, event: Event) -> None:
        rematch_enterprise(
            connection, profile=event.data, outbox=outbox, catalogue=catalogue, on=today()
        )

    return handle


def rematch_enterprise(
    connection: Connection,
    *,
    profile: dict[str, Any],
    outbox: Outbox,
    catalogue: Catalogue,
    on: date,
) -> int:
    """Update the firm's facts and decide every measure in force; returns how many changed.

    Snapshots can arrive out of order (a relay retry); an older version than the one held is ignored.
    """
    uscc, version = profile["uscc"], int(profile["version"])
    repository.lock_projection_for_writing(connection)
    known_version = repository.profile_version(connection, uscc)
    if known_version is not None and known_version >= version:
        return 0
    if known_version is not None:
        # What a population re-match stored unexplained was decided on the facts about to go.
        explaining.complete_firm(connection, uscc=uscc, outbox=outbox, catalogue=catalogue)
    facts = facts_of(profile)
    province = facts["province_code"]
    repository.save_facts(
        connection, uscc=uscc, version=version, facts=facts, exists=known_version is not None
    )
    held = repository.held_determinations(connection, uscc)
    decisions = [decide(measure, facts, on) for measure in catalogue.in_force(on)]
    # No row reads "ineligible" once the measure was decided for everyone (ADR 0013): a first
    # "ineligible" is neither stored nor announced, and a first other status follows one.
    decided = repository.decided_for_everyone(
        connection,
        (
            d.measure.id
            for d in decisions
            if d.measure.id not in held and d.status is not Status.INELIGIBLE
        ),
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
                repository.refresh(connection, uscc=uscc, decision=decision)
            continue
        if stored is not None:
            before: Status | None = stored.status
        else:
            before = Status.INELIGIBLE if decision.measure.id in decided else None
        repository.record(
            connection, uscc=uscc, decision=decision, previous=before, stored=stored is not None
        )
        outbox.add(
            connection,
            topic=DETERMINATION,
            event=eligibility_changed(
                uscc=uscc,
                province_code=province,
                decision=decision,
                previous=before,
                profile_version=version,
            ),
        )
        changed += 1
    return changed


def _authorized_facts(connection: Connection, principal: Principal, uscc: str) -> dict[str, Any]:
    # Not known (yet) and not the caller's answer alike, so that USCCs cannot be probed.
    if principal.uscc is not None and principal.uscc != uscc:
        raise UnknownEnterprise(uscc)
    facts = repository.facts_of_firm(connection, uscc)
    if facts is None or not principal.may_access(uscc=uscc, province_code=facts["province_code"]):
        raise UnknownEnterprise(uscc)
    return facts


def list_determinations(
    *, uow: UnitOfWork, principal: Principal, uscc: str, catalogue: Catalogue | None = None
) -> list[dict[str, Any]]:
    """The enterprise's stored determinations, if the caller may see them.

    A row a population re-match stored unexplained is explained here from the firm's facts,
    which are still those it was decided on (ADR 0009); nothing is written.
    """
    with uow.read() as connection:
        facts = _authorized_facts(connection, principal, uscc)
        rows = repository.determinations_of(connection, uscc)
    shown = []
    for row in rows:
        values = row._asdict()
        if catalogue is not None and row.facts_digest == explaining.PENDING:
            decision = explaining.explain(catalogue, facts, row)
            if decision is not None:
                values |= {
                    "facts_digest": decision.facts_digest,
                    "explanation": decision.explanation(),
                }
        shown.append(values)
    return shown


def determinations_as_of(
    *, uow: UnitOfWork, principal: Principal, uscc: str, catalogue: Catalogue, on: date
) -> list[Decision]:
    """The enterprise's facts decided against the measures in force on `on` (nothing stored)."""
    with uow.read() as connection:
        facts = _authorized_facts(connection, principal, uscc)
    return check(catalogue=catalogue, facts=facts, on=on)


def check(*, catalogue: Catalogue, facts: dict[str, Any], on: date) -> list[Decision]:
    """Decide every measure in force on `on` for these facts: the public self-check."""
    return [decide(measure, facts, on) for measure in catalogue.in_force(on)]
