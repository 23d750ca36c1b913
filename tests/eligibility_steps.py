"""The eligibility service's use cases as the tests run them: each in a transaction of its own on
the engine of a test's unit of work, or in a transaction the test opened (as the consumer does)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection

from eligibility.adapters.population import FIRMS_PER_RANGE
from eligibility.adapters.unit_of_work import SqlUnitOfWork, SqlWork
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import Measure
from eligibility.domain.rematches import Rematch
from eligibility.use_cases import explain
from eligibility.use_cases import rematch as rematching
from eligibility.use_cases.decide import decide_firm
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox


def rematch(
    uow: UnitOfWork,
    *,
    measure: Measure,
    on: date,
    announce: bool = True,
    outbox: Outbox | None = None,
) -> Rematch:
    with SqlUnitOfWork(uow.engine, outbox=outbox).begin() as work:
        return rematching.rematch(work, measure=measure, on=on, announce=announce)


def rematch_group(
    uow: UnitOfWork,
    *,
    measures: Sequence[Measure],
    on: date,
    firms_per_range: int = FIRMS_PER_RANGE,
) -> list[Rematch]:
    with SqlUnitOfWork(uow.engine, firms_per_range=firms_per_range).begin() as work:
        return rematching.rematch_group(work, measures=measures, on=on)


def rematch_due(uow: UnitOfWork, *, catalogue: Catalogue, on: date) -> list[Rematch]:
    with SqlUnitOfWork(uow.engine).begin() as work:
        return rematching.rematch_due(work, catalogue=catalogue, on=on)


def explain_pending(
    uow: UnitOfWork,
    *,
    catalogue: Catalogue,
    batch: int = 2000,
    firms_per_range: int = FIRMS_PER_RANGE,
) -> int:
    units = SqlUnitOfWork(uow.engine, firms_per_range=firms_per_range)
    return explain.explain_pending(uow=units, catalogue=catalogue, batch=batch)


def decide_profile(
    connection: Connection, *, profile: dict[str, Any], catalogue: Catalogue, on: date
) -> int:
    """The firm decided from its profile snapshot in `connection`'s transaction, as the consumer
    decides it from an enterprise.profile.v1 event."""
    return decide_firm(
        SqlWork(connection),
        uscc=profile["uscc"],
        version=int(profile["version"]),
        name=profile.get("name"),
        city=profile.get("city"),
        facts=facts_of(profile),
        catalogue=catalogue,
        on=on,
    )


def save_facts(
    connection: Connection, *, uscc: str, version: int, facts: dict[str, Any], exists: bool
) -> None:
    SqlWork(connection).firms.save(uscc=uscc, version=version, facts=facts, exists=exists)
