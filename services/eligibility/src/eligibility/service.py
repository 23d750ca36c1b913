"""Use cases of the eligibility service."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection

from eligibility.adapters import repository
from eligibility.domain.decision import decide
from eligibility.domain.events import eligibility_changed
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import Measure
from supportmatch_core.auth import Principal
from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.problems import Forbidden, NotFound
from supportmatch_core.topics import DETERMINATION


def profile_changed_handler(
    *, outbox: Outbox, catalogue: Sequence[Measure], today: Callable[[], date]
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
    catalogue: Sequence[Measure],
    on: date,
) -> int:
    """Update the firm's facts and decide every measure in force; returns how many changed.

    Snapshots can arrive out of order (a relay retry); an older version than the one held is ignored.
    """
    uscc, version = profile["uscc"], int(profile["version"])
    held = repository.profile_version(connection, uscc)
    if held is not None and held >= version:
        return 0
    facts = facts_of(profile)
    province = facts["province_code"]
    repository.save_facts(
        connection, uscc=uscc, version=version, facts=facts, exists=held is not None
    )
    previous = repository.current_statuses(connection, uscc)
    changed = 0
    for measure in catalogue:
        if not measure.in_force_on(on):
            continue
        decision = decide(measure, facts, on)
        before = previous.get(measure.id)
        if before == decision.status:
            # Same status: keep the stored explanation current, but it is not news.
            repository.refresh(connection, uscc=uscc, decision=decision)
            continue
        repository.record(connection, uscc=uscc, decision=decision, previous=before)
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


def list_determinations(
    *, uow: UnitOfWork, principal: Principal, uscc: str
) -> list[dict[str, Any]]:
    """The enterprise's current determinations, if the caller may see them."""
    if principal.uscc is not None and principal.uscc != uscc:
        raise Forbidden("an enterprise may read only its own determinations")
    with uow.read() as connection:
        province = repository.province_of(connection, uscc)
        if province is None:
            raise NotFound(f"no enterprise {uscc} is known to eligibility yet")
        if not principal.may_access(uscc=uscc, province_code=province):
            raise Forbidden("this enterprise is outside your regions")
        return [row._asdict() for row in repository.determinations_of(connection, uscc)]
