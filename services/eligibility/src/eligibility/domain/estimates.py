"""Amount estimates (政策测算): what a measure may be worth to a firm, from its own facts.

An estimate is a rule's published rate applied to one of the firm's figures, e.g. 60% of the
VAT credit increase up to 1亿元 and 30% above it; optionally times a tax rate for a tax saving.
It is worded as an estimate: the authority decides the amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eligibility.domain.criteria import (
    InvalidCriteria,
    needs_list,
    needs_object,
    needs_text,
    shown,
)
from eligibility.domain.registry import NUMERIC, REGISTRY
from eligibility.domain.wording import amount_en, amount_zh, percent_text

NOTE_ZH = "测算仅供参考，按您提供的数据和政策规定的比例估算，实际金额以主管部门审核为准。"
NOTE_EN = (
    "An estimate only, from the figures you gave and the rates the rule sets; the competent "
    "authority decides the actual amount."
)


@dataclass(frozen=True, slots=True)
class Tier:
    up_to: int | None  # the part of the base up to this amount (None: all the rest)
    percent: float


@dataclass(frozen=True, slots=True)
class Estimate:
    """How a measure's amount follows from one fact of the firm."""

    label_zh: str
    label_en: str
    base: str  # a numeric registry fact
    tiers: tuple[Tier, ...]
    times_percent: float | None = None  # e.g. the income tax rate, for a tax saving
    times_zh: str = ""  # what the second rate is, e.g. 企业所得税税率
    times_en: str = ""

    def of(self, facts: Mapping[str, Any]) -> dict[str, object] | None:
        """The estimate for these facts, or None while the base is unknown or not positive."""
        base = facts.get(self.base)
        if not isinstance(base, int | float) or isinstance(base, bool) or base <= 0:
            return None
        parts: list[tuple[Tier, float]] = []
        below: float = 0
        for tier in self.tiers:
            top = base if tier.up_to is None else min(base, tier.up_to)
            if top > below:
                parts.append((tier, top - below))
            below = max(below, top)
        amount = sum(part * tier.percent / 100 for tier, part in parts)
        if self.times_percent is not None:
            amount *= self.times_percent / 100
        fact = REGISTRY[self.base]
        zh, en = self._formula(fact.label_zh, fact.label_en, base, parts)
        return {
            "amount": round(amount),
            "unit": "yuan",
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "text_zh": f"{self.label_zh}约{amount_zh(round(amount))}",
            "text_en": f"{self.label_en}: about {amount_en(round(amount))}",
            "formula_zh": zh,
            "formula_en": en,
            "facts": [
                {
                    "fact": self.base,
                    "label_zh": fact.label_zh,
                    "label_en": fact.label_en,
                    "value": base,
                }
            ],
            "note_zh": NOTE_ZH,
            "note_en": NOTE_EN,
        }

    def _formula(
        self, label_zh: str, label_en: str, base: float, parts: list[tuple[Tier, float]]
    ) -> tuple[str, str]:
        if len(parts) == 1:
            rate = percent_text(parts[0][0].percent)
            zh = f"{label_zh} {amount_zh(base)} × {rate}"
            en = f"{label_en} {amount_en(base)} × {rate}"
        else:
            zh = " + ".join(f"{amount_zh(p)} × {percent_text(t.percent)}" for t, p in parts)
            en = " + ".join(f"{amount_en(p)} × {percent_text(t.percent)}" for t, p in parts)
            zh, en = f"{label_zh} {amount_zh(base)}：{zh}", f"{label_en} {amount_en(base)}: {en}"
        if self.times_percent is not None:
            rate = percent_text(self.times_percent)
            zh, en = f"（{zh}）× {rate}（{self.times_zh}）", f"({en}) × {rate} ({self.times_en})"
        return zh, en


def estimate_from_document(doc: object, path: str = "estimate") -> Estimate:
    """Read an estimate; raise `InvalidCriteria` with the path of the first error."""
    if not isinstance(doc, dict):
        raise needs_object(path)
    base = doc.get("base")
    if not isinstance(base, str) or base not in REGISTRY or REGISTRY[base].type not in NUMERIC:
        raise InvalidCriteria(
            f"{path}.base: {base!r} is not a numeric fact", zh=f"{shown(base)}不是数值类信息项"
        )
    tiers = doc.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        raise needs_list(f"{path}.tiers")
    read: list[Tier] = []
    for i, tier in enumerate(tiers):
        up_to, percent = (
            (tier.get("up_to"), tier.get("percent")) if isinstance(tier, dict) else (0, None)
        )
        if not _number(percent) or (up_to is not None and not isinstance(up_to, int)):
            raise InvalidCriteria(
                f"{path}.tiers[{i}]: expected percent and an optional up_to",
                zh="应含percent（不小于0的数值），可另含up_to（整数）",
            )
        if up_to is None and i != len(tiers) - 1:
            raise InvalidCriteria(
                f"{path}.tiers[{i}].up_to: only the last tier is open-ended",
                zh="只有最后一档可以不设上限",
            )
        read.append(Tier(up_to, float(percent or 0)))
    times = doc.get("times_percent")
    if times is not None and not _number(times):
        raise InvalidCriteria(
            f"{path}.times_percent: expected a number, 0 or more", zh="应为不小于0的数值"
        )
    for name in ("label_zh", "label_en"):
        if not isinstance(doc.get(name), str) or not doc[name].strip():
            raise needs_text(f"{path}.{name}")
    return Estimate(
        label_zh=doc["label_zh"],
        label_en=doc["label_en"],
        base=base,
        tiers=tuple(read),
        times_percent=float(times) if times is not None else None,
        times_zh=str(doc.get("times_zh") or ""),
        times_en=str(doc.get("times_en") or ""),
    )


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
