"""What a new version of a measure changes, said in words: conditions added and dropped (one
that is negated or one of several alternatives says so), the benefit, how to apply, the end."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from eligibility.domain.criteria import All, AnyOf, Certified, Compare, Not
from eligibility.domain.differences import differences
from eligibility.domain.measures import Measure, measure_from_document, shipped_documents
from supportmatch_core.contracts.measure import Change

RD = Compare("rd_staff", "ge", 10)
STAFF = Compare("employees", "le", 1000)
FOREIGN = Compare("ownership", "eq", "foreign")


def _measure(**changed: Any) -> Measure:
    (doc,) = [
        d for d in shipped_documents() if (d["id"], d["version"]) == ("rd-super-deduction", 3)
    ]
    return dataclasses.replace(measure_from_document(doc), **changed)


def test_a_first_version_changes_nothing() -> None:
    assert differences(None, _measure()) == ()


def test_the_same_rule_says_no_change() -> None:
    assert differences(_measure(), _measure()) == ()


def test_conditions_added_and_dropped_are_named() -> None:
    before = _measure(criteria=All((RD,)))
    after = _measure(criteria=All((STAFF,)))
    assert differences(before, after) == (
        Change("新增条件“从业人员 ≤ 1,000人”", "new condition: employees ≤ 1,000 people"),
        Change("取消条件“研发人员 ≥ 10人”", "condition dropped: R&D staff ≥ 10 people"),
    )


def test_negated_and_alternative_conditions_say_so() -> None:
    before = _measure(criteria=All((RD,)))
    after = _measure(
        criteria=All((RD, Not(FOREIGN), AnyOf((STAFF, Certified("high_tech_enterprise")))))
    )
    said = [c.zh for c in differences(before, after)]
    assert said == [
        "新增条件“不属于所有制类型为外商投资企业的情形”",
        "新增条件“从业人员 ≤ 1,000人（满足其一即可）”",
        "新增条件“持有有效的高新技术企业（满足其一即可）”",
    ]
    # Not(any of a, b) binds both: neither is an alternative (De Morgan).
    binding = _measure(criteria=Not(AnyOf((STAFF, FOREIGN))))
    assert [c.zh for c in differences(before, binding)][:2] == [
        "新增条件“不属于从业人员 ≤ 1,000人的情形”",
        "新增条件“不属于所有制类型为外商投资企业的情形”",
    ]


def test_the_benefit_how_to_apply_and_the_end_are_said() -> None:
    before = _measure()
    after = _measure(
        benefit_zh="按120%加计扣除",
        benefit_en="a 120% deduction",
        how_to_apply_zh="在汇算清缴时填报",
        how_to_apply_en="file it with the annual return",
        valid_to=date(2027, 12, 31),
    )
    assert differences(before, after) == (
        Change("支持内容改为“按120%加计扣除”", "the benefit is now: a 120% deduction"),
        Change(
            "申请方式改为“在汇算清缴时填报”", "how to apply is now: file it with the annual return"
        ),
        Change("施行期限改为至2027-12-31", "it is in force until 2027-12-31"),
    )
    assert differences(after, dataclasses.replace(after, valid_to=None))[-1] == Change(
        "施行期限改为长期有效", "it stays in force until further notice"
    )
