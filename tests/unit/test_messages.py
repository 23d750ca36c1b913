"""Inbox messages for eligibility determinations, in Chinese and English."""

from __future__ import annotations

import pytest

from eligibility.domain.decision import Status
from notifications.domain.messages import message_for
from tests.unit._snapshots import COMPLIANT, decide_for, determination

TITLE_ZH = "增值税增量留抵税额按月全额退还"
TITLE_EN = "Monthly full refund of incremental VAT credits"


def test_possibly_eligible_lists_the_missing_facts_and_cites_the_clause() -> None:
    data = determination(decide_for(industry="C3921"))
    message = message_for(data)
    assert message.title_zh == f"可能符合条件：{TITLE_ZH}"
    assert message.title_en == f"You may qualify: {TITLE_EN}"
    assert "（十六）" in message.body_zh
    assert "（十六）" in message.body_en
    assert message.body_zh.endswith(
        "请补充以下信息以完成判断：纳税信用等级、36个月内有骗取留抵退税、出口退税或虚开发票情形、"
        "36个月内因偷税受处罚次数、2019年4月1日起享受过增值税即征即退、先征后返（退）。"
    )
    assert message.body_en.endswith(
        " Provide these facts to complete the check: tax credit grade; refund fraud or false "
        "invoices in the last 36 months; tax-evasion penalties in the last 36 months; VAT "
        "immediate refund or refund after collection enjoyed since 1 April 2019."
    )
    assert [f["fact"] for f in message.facts_to_provide] == [
        "tax_credit_grade",
        "vat_refund_fraud_36m",
        "tax_evasion_penalties_36m",
        "immediate_refund_since_2019",
    ]
    assert "Not met" not in message.body_en


def test_only_the_missing_facts_are_asked_for() -> None:
    data = determination(decide_for(tax_credit_grade="A", vat_refund_fraud_36m=False))
    message = message_for(data)
    assert [f["fact"] for f in message.facts_to_provide] == [
        "tax_evasion_penalties_36m",
        "immediate_refund_since_2019",
    ]
    assert "纳税信用等级" not in message.body_zh
    assert "tax credit grade" not in message.body_en


@pytest.mark.parametrize("previous", [None, Status.POSSIBLY_ELIGIBLE, Status.INELIGIBLE])
def test_eligible_headline(previous: Status | None) -> None:
    message = message_for(determination(decide_for(**COMPLIANT), previous))
    assert message.title_zh == f"符合条件：{TITLE_ZH}"
    assert message.title_en == f"You qualify: {TITLE_EN}"
    assert message.facts_to_provide == []
    assert "（十六）" in message.body_en
    assert "Provide" not in message.body_en
    assert "请补充" not in message.body_zh


def test_ineligible_without_a_previous_status_does_not_qualify() -> None:
    message = message_for(determination(decide_for(**(COMPLIANT | {"tax_credit_grade": "M"}))))
    assert message.title_zh == f"不符合条件：{TITLE_ZH}"
    assert message.title_en == f"You do not qualify: {TITLE_EN}"
    assert "Not met: " in message.body_en
    assert "tax credit grade: M, needs one of A, B" in message.body_en
    assert message.body_zh.endswith("未满足的条件见详情。")


def test_ineligible_after_eligible_no_longer_qualifies() -> None:
    decision = decide_for(**(COMPLIANT | {"vat_refund_fraud_36m": True}))
    message = message_for(determination(decision, Status.ELIGIBLE))
    assert message.title_zh == f"不再符合条件：{TITLE_ZH}"
    assert message.title_en == f"You no longer qualify: {TITLE_EN}"
    assert (
        "refund fraud or false invoices in the last 36 months: yes, needs = no" in message.body_en
    )


def test_not_met_lists_only_the_conditions_that_decided_the_failure() -> None:
    message = message_for(determination(decide_for(**(COMPLIANT | {"tax_credit_grade": "M"}))))
    assert "industry division" not in message.body_en
