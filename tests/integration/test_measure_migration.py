"""Measure documents stored in the earlier shape (English how_to_apply and audience, sources as
titles) are converted by migration 0011, so a catalogue an administrator extended still loads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import insert, select

from eligibility.adapters.tables import measure_drafts, measure_versions
from eligibility.domain.measures import measure_from_document
from supportmatch_core.db import create_database_engine
from supportmatch_core.migrate import alembic_config, upgrade_to_head
from tests.conftest import Databases

LEGACY: dict[str, Any] = {
    "id": "local-relief",
    "version": 1,
    "title_zh": "地方纾困资金",
    "title_en": "Local relief fund",
    "clause": "（十六）",
    "quote": "鼓励地方安排中小企业纾困专项资金，对符合条件的企业给予资金支持。",
    "departments": ["财政部"],
    "kind": "opportunity",
    "audience": "SMEs of the city",
    "benefit_zh": "符合条件的中小企业可获资金支持。",
    "benefit_en": "Qualifying SMEs may get funds.",
    "how_to_apply": "Apply to the city's SME office.",
    "valid_from": "2024-01-01",
    "valid_to": None,
    "sources": [{"title": "市政府通知 (recalled)", "verified": False}],
    "criteria": {"fact": "sme", "op": "eq", "value": True},
}


def test_earlier_documents_are_converted(databases: Databases) -> None:
    url = databases.url("eligibility")
    command.upgrade(alembic_config("eligibility", url), "0010")
    engine = create_database_engine(url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(measure_versions).values(
                    measure_id="local-relief", version=1, document=LEGACY, digest="old",
                    status="published", managed_by="admin", published_at=now,
                    published_by="admin", updated_at=now,
                )
            )  # fmt: skip
            connection.execute(
                insert(measure_drafts).values(
                    measure_id="local-relief", version=2, document={**LEGACY, "version": 2},
                    created_at=now, updated_at=now, updated_by="admin",
                )
            )  # fmt: skip
        upgrade_to_head("eligibility", url)
        with engine.connect() as connection:
            (stored,) = connection.execute(select(measure_versions)).all()
            (draft,) = connection.execute(select(measure_drafts)).all()
    finally:
        engine.dispose()
    measure = measure_from_document(stored.document)
    assert measure.how_to_apply_en == "Apply to the city's SME office."
    assert measure.how_to_apply_zh == "请向主管部门咨询申请方式。"
    assert measure.audience_en == "SMEs of the city"
    assert measure.sources[0].document == "市政府通知 (recalled)"
    assert measure.basis == "assumed"
    assert measure.assumptions[0].zh.startswith("该版本由早期格式转换而来")
    assert stored.digest == measure.digest
    assert measure_from_document(draft.document).version == 2
