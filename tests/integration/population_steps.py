"""What the population's tests share: the day and catalogue they decide on, firms seeded with
their facts, and what the determinations and the projection hold."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from eligibility.adapters.tables import QUEUE_COLUMNS, determinations, enterprise_facts
from eligibility.adapters.unit_of_work import SqlWork
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import load_catalogue
from supportmatch_core.db import UnitOfWork
from tests.eligibility_steps import save_facts
from tests.unit._snapshots import COMPLIANT, profile_snapshot

ON = date(2024, 6, 30)
CATALOGUE = Catalogue(load_catalogue())


def vat() -> Any:
    """The VAT credit refund in force on ON (the 2022 rules, to August 2025)."""
    return CATALOGUE.current("vat-credit-refund", ON)


def seed(uow: UnitOfWork, count: int) -> list[str]:
    usccs = []
    with uow.begin() as connection:
        for number in range(count):
            facts = COMPLIANT if number % 3 == 0 else {}
            snapshot = profile_snapshot(industry="C3921" if number % 2 else "L7211", **facts)
            save_facts(
                connection, uscc=snapshot["uscc"], version=1, facts=facts_of(snapshot), exists=False
            )
            usccs.append(snapshot["uscc"])
    return usccs


def misplaced(uow: UnitOfWork) -> set[str]:
    """Firms whose determinations do not carry their place in the work queue (ADR 0037)."""
    d, f = determinations.c, enterprise_facts.c
    with uow.read() as connection:
        rows = connection.execute(
            select(
                d.uscc, *(d[n] for n in QUEUE_COLUMNS), *(f[n] for n in QUEUE_COLUMNS)
            ).join_from(determinations, enterprise_facts, f.uscc == d.uscc)
        ).all()
    assert rows
    width = len(QUEUE_COLUMNS)
    return {row[0] for row in rows if tuple(row[1 : 1 + width]) != tuple(row[1 + width :])}


def stored_facts(connection: Connection, uscc: str) -> dict[str, Any]:
    facts = SqlWork(connection).firms.facts(uscc)
    assert facts is not None
    return facts
