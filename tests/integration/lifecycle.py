"""The measure lifecycle's test material: a measure in force, its next version, and firms."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from eligibility.adapters.tables import backbone
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import shipped_documents
from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event
from tests.clock import TODAY
from tests.eligibility_steps import rematch, save_facts
from tests.unit._snapshots import COMPLIANT, profile_snapshot

# A measure with one open-ended version in force: the VAT refund of the other industries.
VAT = "vat-credit-refund-other"
GRADE = 5  # the place of the tax credit grade among the criteria
# What makes a wholesaler a candidate for that refund (公告2025年第7号): a general taxpayer whose
# VAT credit rose for six months, by 1,000,000 yuan on the prior December.
REFUND_FIGURES: dict[str, Any] = {
    "vat_taxpayer_type": "general",
    "vat_sales_by_industry": {"F5191": 1},
    "vat_credit_balances": {"2025-12": 1_000_000}
    | {f"2026-{m:02d}": 1_000_000 + 200_000 * m for m in range(1, 7)},
}


def vat_document() -> dict[str, Any]:
    (doc,) = [d for d in shipped_documents() if d["id"] == VAT and d["version"] == 1]
    return copy.deepcopy(doc)


def v2(*, valid_from: date = TODAY) -> dict[str, Any]:
    """Version 2 of the VAT refund: tax credit grade M qualifies too."""
    doc = vat_document()
    doc.update(version=2, valid_from=valid_from.isoformat(), valid_to=None)
    assert doc["criteria"]["all"][GRADE]["fact"] == "tax_credit_grade"
    doc["criteria"]["all"][GRADE] = {
        "fact": "tax_credit_grade",
        "op": "in",
        "value": ["A", "B", "M"],
    }
    return doc


def seed_firms(uow: UnitOfWork) -> dict[str, list[str]]:
    """Four compliant firms, three that differ only in grade M, and three that say nothing."""
    kinds = {
        "compliant": COMPLIANT,
        "grade_m": {**COMPLIANT, "tax_credit_grade": "M"},
        "silent": {},
    }
    firms: dict[str, list[str]] = {kind: [] for kind in kinds}
    with uow.begin() as connection:
        for kind, facts in kinds.items():
            for _ in range(4 if kind == "compliant" else 3):
                snapshot = profile_snapshot(industry="F5191", **facts)
                if facts:
                    snapshot |= REFUND_FIGURES
                save_facts(
                    connection,
                    uscc=snapshot["uscc"],
                    version=1,
                    facts=facts_of(snapshot),
                    exists=False,
                )
                firms[kind].append(snapshot["uscc"])
    return {kind: sorted(usccs) for kind, usccs in firms.items()}


def decided_with_v1(uow: UnitOfWork, catalogue: Catalogue) -> None:
    """What the daily tick did before any administrator came: everyone decided on version 1."""
    (v1,) = catalogue.versions(VAT)
    rematch(uow, measure=v1, on=TODAY)


def count(connection: Connection, table: Any, *where: Any) -> int:
    return int(
        connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
    )


def outbox(connection: Connection, topic: str) -> list[Event]:
    o = backbone.outbox.c
    payloads = connection.execute(select(o.payload).where(o.topic == topic).order_by(o.id))
    return [Event.from_bytes(p.encode()) for p in payloads.scalars()]
