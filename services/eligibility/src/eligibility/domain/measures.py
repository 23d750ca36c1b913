"""Measures of the notice as versioned documents, loaded from the catalogue folder."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from eligibility.domain.comparisons import check_comparison, facts_named, uses_certifications
from eligibility.domain.criteria import (
    Criterion,
    InvalidCriteria,
    needs_one_of,
    needs_text,
    parse,
)
from eligibility.domain.documents import (
    Source,
    Text,
    day,
    read_assumptions,
    read_sources,
    read_strings,
    read_themes,
)
from eligibility.domain.estimates import Estimate, estimate_from_document

__all__ = [
    "Measure",
    "check_comparison",
    "facts_named",
    "load_catalogue",
    "measure_from_document",
    "shipped_documents",
    "uses_certifications",
]


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    version: int
    title_zh: str
    title_en: str
    clause: str
    quote: str
    kind: str
    benefit_zh: str
    benefit_en: str
    how_to_apply_zh: str
    how_to_apply_en: str
    audience_zh: str
    audience_en: str
    valid_from: date
    valid_to: date | None
    sources: tuple[Source, ...]
    criteria: Criterion
    departments: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    assumptions: tuple[Text, ...] = ()  # what is assumed, in words a firm may read
    notes: tuple[str, ...] = ()  # authoring notes for administrators, never shown publicly
    estimate: Estimate | None = None
    # automatic: granted to firms that qualify on the data held, without applying (免申即享),
    # once the department in charge confirms the list.
    grant: str = "on_application"
    digest: str = ""  # SHA-256 of the document: an edit without a new version still shows

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def ended_by(self, day: date) -> bool:
        return self.valid_to is not None and self.valid_to < day

    @property
    def basis(self) -> str:
        """verified when every source was checked against its text and nothing is assumed."""
        checked = all(s.verified for s in self.sources) and not self.assumptions
        return "verified" if checked else "assumed"

    def reference(self) -> dict[str, object]:
        """How events and answers name this measure."""
        return {
            "id": self.id,
            "version": self.version,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "clause": self.clause,
            "kind": self.kind,
            "how_to_apply": self.how_to_apply_en,  # kept for consumers of the first events
            "how_to_apply_zh": self.how_to_apply_zh,
            "how_to_apply_en": self.how_to_apply_en,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


_TEXTS = (
    "id",
    "title_zh",
    "title_en",
    "clause",
    "quote",
    "benefit_zh",
    "benefit_en",
    "how_to_apply_zh",
    "how_to_apply_en",
    "audience_zh",
    "audience_en",
)
_KINDS = ("benefit", "obligation", "opportunity")
GRANTS = ("on_application", "automatic")


def measure_from_document(doc: dict[str, Any]) -> Measure:
    """Read one measure document; raise `InvalidCriteria` with the path of the first error."""
    if not isinstance(doc, dict):
        raise InvalidCriteria(
            "(root): expected a measure document (an object)", zh="应为措施文档（对象）"
        )
    try:
        for name in _TEXTS:
            if not isinstance(doc[name], str) or not doc[name].strip():
                raise needs_text(name)
        version = doc["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InvalidCriteria("version: expected a whole number from 1", zh="应为正整数")
        if doc["kind"] not in _KINDS:
            raise needs_one_of("kind", _KINDS)
        if doc.get("grant", GRANTS[0]) not in GRANTS:
            raise needs_one_of("grant", GRANTS)
        sources = read_sources(doc["sources"])
        assumptions = read_assumptions(doc.get("assumptions"))
        if any(not s.verified for s in sources) and not assumptions:
            raise InvalidCriteria(
                "assumptions: say in words what an unverified source assumes",
                zh="有出处未经核对原文，须写明所作的假设",
            )
        valid_from = day(doc, "valid_from")
        valid_to = day(doc, "valid_to") if doc.get("valid_to") is not None else None
        estimate = doc.get("estimate")
        measure = Measure(
            id=doc["id"],
            version=version,
            title_zh=doc["title_zh"],
            title_en=doc["title_en"],
            clause=doc["clause"],
            quote=doc["quote"],
            kind=doc["kind"],
            benefit_zh=doc["benefit_zh"],
            benefit_en=doc["benefit_en"],
            how_to_apply_zh=doc["how_to_apply_zh"],
            how_to_apply_en=doc["how_to_apply_en"],
            audience_zh=doc["audience_zh"],
            audience_en=doc["audience_en"],
            valid_from=valid_from,
            valid_to=valid_to,
            sources=sources,
            departments=read_strings(doc, "departments"),
            themes=read_themes(doc.get("themes")),
            assumptions=assumptions,
            notes=read_strings(doc, "notes"),
            estimate=estimate_from_document(estimate) if estimate is not None else None,
            grant=doc.get("grant", GRANTS[0]),
            digest=hashlib.sha256(
                json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest(),
            criteria=parse(doc["criteria"], check=check_comparison),
        )
    except InvalidCriteria:
        raise
    except KeyError as error:
        raise InvalidCriteria(f"{error.args[0]}: required", zh="必填") from error
    except (TypeError, ValueError) as error:  # a shape no check above foresaw
        raise InvalidCriteria(
            f"(root): {error}", zh="文档中有无法读取的内容，请检查各项的类型"
        ) from error
    if valid_to is not None and valid_to < valid_from:
        raise InvalidCriteria("valid_to: before valid_from", zh="结束日期早于开始日期")
    return measure


def shipped_documents() -> list[dict[str, Any]]:
    """Every measure document shipped in the catalogue folder: the seed of the catalogue."""
    folder = resources.files("eligibility") / "catalogue"
    return [
        json.loads(item.read_text(encoding="utf-8"))
        for item in sorted(folder.iterdir(), key=lambda f: f.name)
        if item.name.endswith(".json")
    ]


def load_catalogue() -> list[Measure]:
    """Every measure version shipped in the catalogue folder."""
    return [measure_from_document(doc) for doc in shipped_documents()]
