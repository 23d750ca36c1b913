"""Measure documents in the bilingual shape: how_to_apply and audience become their _zh/_en pairs,
sources become citations, and an unverified source is said in words (assumptions). Documents an
administrator published or drafted before are converted here; the shipped ones are replaced by the
catalogue's seed at start-up anyway.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_CONVERTED = {
    "zh": "该版本由早期格式转换而来，部分依据未经核实，请以主管部门的解释为准。",
    "en": "This version was converted from the earlier format; part of its basis is not verified, "
    "and the competent department's reading prevails.",
}


def converted(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The document in the bilingual shape, or None when it has it already."""
    if "how_to_apply_en" in doc:
        return None
    new = {k: v for k, v in doc.items() if k not in ("how_to_apply", "audience")}
    new["how_to_apply_en"] = doc.get("how_to_apply") or "Ask the competent department."
    new["how_to_apply_zh"] = "请向主管部门咨询申请方式。"
    new["audience_en"] = doc.get("audience") or doc.get("title_en") or "Enterprises"
    new["audience_zh"] = "请以主管部门公布的适用对象为准。"
    sources = [
        {
            "document": str(s.get("title") or s.get("document") or "—"),
            "verified": bool(s.get("verified")),
        }
        for s in doc.get("sources") or []
        if isinstance(s, dict)
    ]
    new["sources"] = sources or [{"document": "—", "verified": False}]
    if not all(s["verified"] for s in new["sources"]):
        new["assumptions"] = [dict(_CONVERTED)]
    return new


def _digest(doc: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    versions = sa.table(
        "measure_versions",
        sa.column("measure_id"),
        sa.column("version"),
        sa.column("document", sa.JSON),
        sa.column("digest"),
    )
    drafts = sa.table(
        "measure_drafts",
        sa.column("measure_id"),
        sa.column("version"),
        sa.column("document", sa.JSON),
    )
    for row in bind.execute(sa.select(versions)).all():
        new = converted(dict(row.document))
        if new is not None:
            key = (versions.c.measure_id == row.measure_id) & (versions.c.version == row.version)
            bind.execute(sa.update(versions).where(key).values(document=new, digest=_digest(new)))
    for row in bind.execute(sa.select(drafts)).all():
        new = converted(dict(row.document))
        if new is not None:
            key = (drafts.c.measure_id == row.measure_id) & (drafts.c.version == row.version)
            bind.execute(sa.update(drafts).where(key).values(document=new))


def downgrade() -> None:
    """The bilingual documents stay: the earlier code cannot read them, and nothing is lost."""
