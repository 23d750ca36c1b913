"""What a new version of a measure changes, in sentences a firm or a caseworker reads: conditions
added and dropped, the benefit, how to apply, the days it is in force. The "measure changed"
notice and the administrator's console both say it this way."""

from __future__ import annotations

from collections.abc import Iterator

from eligibility.domain.criteria import All, AnyOf, Certified, Compare, Criterion, Not
from eligibility.domain.measures import Measure
from eligibility.domain.sentences import certification_requirement, requirement
from supportmatch_core.contracts.measure import Change


def differences(before: Measure | None, after: Measure) -> tuple[Change, ...]:
    """The changes from `before` (the previous version; None for a first one) to `after`."""
    if before is None:
        return ()
    old, new = dict(_conditions(before.criteria)), dict(_conditions(after.criteria))
    found = [Change(f"新增条件“{zh}”", f"new condition: {new[zh]}") for zh in new if zh not in old]
    found += [
        Change(f"取消条件“{zh}”", f"condition dropped: {old[zh]}") for zh in old if zh not in new
    ]
    if before.benefit_zh != after.benefit_zh:
        found.append(
            Change(f"支持内容改为“{after.benefit_zh}”", f"the benefit is now: {after.benefit_en}")
        )
    if before.how_to_apply_zh != after.how_to_apply_zh:
        found.append(
            Change(
                f"申请方式改为“{after.how_to_apply_zh}”",
                f"how to apply is now: {after.how_to_apply_en}",
            )
        )
    if before.valid_to != after.valid_to:
        found.append(_until(after))
    return tuple(found)


def _until(measure: Measure) -> Change:
    if measure.valid_to is None:
        return Change("施行期限改为长期有效", "it stays in force until further notice")
    day = measure.valid_to.isoformat()
    return Change(f"施行期限改为至{day}", f"it is in force until {day}")


def _conditions(
    criterion: Criterion, *, negated: bool = False, alternative: bool = False
) -> Iterator[tuple[str, str]]:
    """Each condition of the rule as a sentence in both languages; one that is negated or one
    of several alternatives says so."""
    if isinstance(criterion, Compare | Certified):
        zh, en = (
            requirement(criterion)
            if isinstance(criterion, Compare)
            else certification_requirement(criterion)
        )
        if negated:
            zh, en = f"不属于{zh}的情形", f"not: {en}"
        if alternative:
            zh, en = f"{zh}（满足其一即可）", f"{en} (one of several alternatives)"
        yield zh, en
    elif isinstance(criterion, Not):
        yield from _conditions(criterion.child, negated=not negated, alternative=alternative)
    elif isinstance(criterion, All | AnyOf):
        # Negated, "any of" binds every part and "all of" any one of them (De Morgan).
        either = alternative or (isinstance(criterion, AnyOf) != negated)
        for child in criterion.children:
            yield from _conditions(child, negated=negated, alternative=either)
