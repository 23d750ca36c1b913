"""The rules of a case, without a database: which state follows which, what a disbursement and a
rejection need, amounts as people write them, each change's trail entry, and whose cases a list
may show."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from casework.domain.cases import Case, CaseRefused, CaseState, fen_of, moved, yuan
from casework.domain.changes import Action, Assign, Attach, Move, Note, SetDue, applied
from casework.domain.listing import CaseFilter
from supportmatch_core.access import Visible

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def a_case(state: CaseState = CaseState.IDENTIFIED) -> Case:
    return Case(
        id=7,
        uscc="91110000MA01ABCD1X",
        firm_name="北京星火精密机械有限公司",
        province_code="11",
        measure_id="vat-credit-refund",
        measure_title_zh="增值税留抵退税",
        measure_title_en="VAT credit refund",
        state=state,
        assignee=None,
        due_on=None,
        disbursed_fen=None,
        disbursed_on=None,
        opened_at=datetime(2026, 11, 2, tzinfo=UTC),
        opened_by="caseworker",
        updated_at=datetime(2026, 11, 2, tzinfo=UTC),
        version=1,
    )


def test_a_case_moves_forward_and_may_skip_the_call() -> None:
    case = a_case()
    for to in (CaseState.APPLYING, CaseState.APPROVED):
        case = moved(case, to, reason="", amount="", on=None)
    assert case.state is CaseState.APPROVED
    assert moved(a_case(), CaseState.CONTACTED, reason="", amount="", on=None).is_open


def test_a_step_back_is_refused_in_chinese_naming_what_may_follow() -> None:
    with pytest.raises(CaseRefused) as refused:
        moved(a_case(CaseState.APPLYING), CaseState.CONTACTED, reason="", amount="", on=None)
    assert refused.value.zh == "个案处于“申报中”，只能转为：已批准、未获批准"
    with pytest.raises(CaseRefused, match="无"):
        moved(a_case(CaseState.DISBURSED), CaseState.APPLYING, reason="", amount="", on=None)


def test_a_rejection_needs_its_reason_and_may_be_applied_for_again() -> None:
    with pytest.raises(CaseRefused, match="未获批准须写明原因"):
        moved(a_case(CaseState.APPLYING), CaseState.REJECTED, reason="  ", amount="", on=None)
    rejected = moved(
        a_case(CaseState.APPLYING), CaseState.REJECTED, reason="纳税信用等级为C", amount="", on=None
    )
    assert moved(rejected, CaseState.APPLYING, reason="", amount="", on=None).is_open


def test_a_disbursement_keeps_its_amount_in_fen_and_its_date() -> None:
    paid = moved(
        a_case(CaseState.APPROVED),
        CaseState.DISBURSED,
        reason="",
        amount="125,000.5元",
        on=date(2026, 12, 1),
    )
    assert (paid.disbursed_fen, paid.disbursed_on) == (12_500_050, date(2026, 12, 1))
    assert yuan(12_500_050) == "125,000.50"
    assert not paid.is_open


@pytest.mark.parametrize(
    "amount", ["", "0", "-5", "abc", "1.234", "NaN", "-inf", "1e20", "1e300", "9" * 5000]
)
def test_an_amount_that_is_not_money_is_refused(amount: str) -> None:
    with pytest.raises(CaseRefused):
        fen_of(amount)


def test_a_disbursement_needs_a_date_not_before_the_case() -> None:
    approved = a_case(CaseState.APPROVED)
    with pytest.raises(CaseRefused, match="兑付日期"):
        moved(approved, CaseState.DISBURSED, reason="", amount="100", on=None)
    with pytest.raises(CaseRefused, match="不能早于立案日期"):
        moved(approved, CaseState.DISBURSED, reason="", amount="100", on=date(2026, 10, 1))


def test_each_change_says_who_what_from_what_to_what_and_why() -> None:
    case, entry = applied(
        a_case(), Move(CaseState.CONTACTED, reason="电话联系财务负责人"), actor="li", now=NOW
    )
    assert (entry.action, entry.before, entry.after, entry.reason) == (
        Action.MOVED,
        "identified",
        "contacted",
        "电话联系财务负责人",
    )
    assert (entry.actor, entry.at, case.updated_at) == ("li", NOW, NOW)
    case, entry = applied(case, Assign("wang"), actor="li", now=NOW)
    assert (case.assignee, entry.before, entry.after) == ("wang", None, "wang")
    case, entry = applied(case, SetDue(date(2026, 12, 31)), actor="li", now=NOW)
    assert (case.due_on, entry.after) == (date(2026, 12, 31), "2026-12-31")
    assert case.overdue(date(2027, 1, 1))
    assert not case.overdue(date(2026, 12, 31))
    unchanged, entry = applied(case, Note(" 企业已提交申请表 "), actor="li", now=NOW)
    assert (unchanged.state, entry.action, entry.reason) == (
        case.state,
        Action.NOTED,
        "企业已提交申请表",
    )
    _, entry = applied(case, Attach("京税退〔2026〕118号"), actor="li", now=NOW)
    assert (entry.action, entry.reason) == (Action.ATTACHED, "京税退〔2026〕118号")


@pytest.mark.parametrize(
    "command",
    [Note(""), Note("长" * 2001), Attach("   "), SetDue(date(2026, 12, 5))],
    ids=["empty note", "long note", "empty reference", "due in the past"],
)
def test_a_change_that_says_nothing_or_too_much_is_refused(command: object) -> None:
    with pytest.raises(CaseRefused):
        applied(a_case(), command, actor="li", now=NOW)  # type: ignore[arg-type]


def test_a_list_shows_only_what_the_caller_may_see() -> None:
    chosen = CaseFilter(provinces=frozenset({"11", "44"}))
    assert chosen.within(Visible(provinces=frozenset({"11", "31"}))).provinces == frozenset({"11"})
    assert CaseFilter().within(Visible(provinces=frozenset({"31"}))).provinces == frozenset({"31"})
    assert CaseFilter().within(Visible()).provinces is None
    own = CaseFilter().within(Visible(uscc="91110000MA01ABCD1X"))
    assert own.uscc == "91110000MA01ABCD1X"
    other = CaseFilter(uscc="91440300MA5FXXXX1Y").within(Visible(uscc="91110000MA01ABCD1X"))
    assert other.provinces == frozenset()
    assert replace(chosen, states=frozenset({CaseState.APPROVED})).within(Visible()).states
