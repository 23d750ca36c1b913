"""Criteria as sentences a finance manager reads: each comparison with the fact's label, the firm's
value and what the rule needs, and each all/any/not as a heading over its parts."""

from __future__ import annotations

from functools import cache

from eligibility.domain.criteria import All, AnyOf, Certified, Compare, Criterion, Not
from eligibility.domain.registry import BOOLEAN, DATE, NUMERIC, REGISTRY
from eligibility.domain.wording import LEVELS, value_words, values_words
from supportmatch_reference.certifications import LABELS, CertificationKind

_SYMBOLS = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
HEADINGS = {
    "all": ("同时满足以下全部条件", "all of the following"),
    "any": ("满足以下任一条件", "any one of the following"),
    "not": ("不属于以下情形", "not the following"),
}


@cache  # a criterion's requirement reads the same for every firm
def _needs(compare: Compare) -> tuple[str, str, bool]:
    """What the comparison needs, in both languages, and whether it reads as a quantity."""
    fact = REGISTRY[compare.fact]
    if fact.type in (*NUMERIC, DATE) and compare.op in _SYMBOLS:
        zh, en = value_words(fact, compare.value)
        symbol = _SYMBOLS[compare.op]
        return f"{symbol} {zh}", f"{symbol} {en}", True
    if compare.op == "between":
        (low_zh, low_en), (high_zh, high_en) = (value_words(fact, v) for v in compare.value)
        return f"在{low_zh}至{high_zh}之间", f"between {low_en} and {high_en}", True
    positive = compare.op in ("eq", "in")
    if fact.type == BOOLEAN and compare.op in ("eq", "ne"):
        zh, en = value_words(fact, compare.value if positive else not compare.value)
        return f"为{zh}", en, False
    if positive:
        zh, en = values_words(fact, compare.value, zh_joint="或", en_joint=" or ")
        return f"为{zh}", en, False
    zh, en = values_words(fact, compare.value, zh_joint="、", en_joint=", ")
    return f"不为{zh}", f"none of {en}", False


def requirement(compare: Compare) -> tuple[str, str]:
    """The comparison as a rule states it: 研发费用占营业收入比例 ≥ 3%."""
    fact = REGISTRY[compare.fact]
    zh, en, quantity = _needs(compare)
    if quantity:
        space = "" if compare.op == "between" else " "
        return f"{fact.label_zh}{space}{zh}", f"{fact.label_en} {en}"
    if fact.type == BOOLEAN:
        return f"{fact.label_zh}：{zh.removeprefix('为')}", f"{fact.label_en}: {en}"
    return f"{fact.label_zh}{zh}", f"{fact.label_en}: {en}"


def verdict(compare: Compare, actual: object) -> tuple[str, str]:
    """The comparison against the firm's value: 研发费用占营业收入比例 2.1%，需 ≥ 3%."""
    fact = REGISTRY[compare.fact]
    need_zh, need_en, quantity = _needs(compare)
    has_zh, has_en = value_words(fact, actual)
    if quantity:
        return (
            f"{fact.label_zh} {has_zh}，需 {need_zh}".replace("需 在", "需在"),
            f"{fact.label_en} {has_en}, needs {need_en}",
        )
    return f"{fact.label_zh}：{has_zh}，需{need_zh}", f"{fact.label_en}: {has_en}; needs {need_en}"


def certification_requirement(criterion: Certified) -> tuple[str, str]:
    zh, en = LABELS[CertificationKind(criterion.kind)]
    if criterion.level_at_least:
        level_zh, level_en = LEVELS[criterion.level_at_least]
        return f"持有有效的{level_zh}及以上{zh}", f"a valid {en} title, {level_en} level or higher"
    return f"持有有效的{zh}", f"a valid {en} title"


@cache
def certification_verdict(criterion: Certified, held: bool) -> tuple[str, str]:
    zh, en = LABELS[CertificationKind(criterion.kind)]
    need_zh, need_en = certification_requirement(criterion)
    return (
        f"{zh}：{'已持有' if held else '未持有'}，需{need_zh}",
        f"{en} title: {'held' if held else 'not held'}; needs {need_en}",
    )


def tree(criterion: Criterion) -> dict[str, object]:
    """A criteria tree for reading: each node with its sentence, nested as the rule nests it."""
    if isinstance(criterion, Compare):
        zh, en = requirement(criterion)
        value = list(criterion.value) if isinstance(criterion.value, tuple) else criterion.value
        return {
            "node": "fact",
            "fact": criterion.fact,
            "operator": criterion.op,
            "value": value,
            "text_zh": zh,
            "text_en": en,
        }
    if isinstance(criterion, Certified):
        zh, en = certification_requirement(criterion)
        return {
            "node": "certified",
            "certified": criterion.kind,
            "level_at_least": criterion.level_at_least,
            "text_zh": zh,
            "text_en": en,
        }
    key, children = _group(criterion)
    zh, en = HEADINGS[key]
    return {
        "node": key,
        "text_zh": zh,
        "text_en": en,
        "children": [tree(child) for child in children],
    }


def _group(criterion: All | AnyOf | Not) -> tuple[str, tuple[Criterion, ...]]:
    if isinstance(criterion, Not):
        return "not", (criterion.child,)
    return ("all" if isinstance(criterion, All) else "any"), criterion.children
