"""Inbox messages for eligibility determinations, in Chinese and English."""

from __future__ import annotations

import pytest

from eligibility.domain.decision import Status
from notifications.domain.messages import message_for
from supportmatch_core.contracts.determination import EligibilityChanged
from tests.unit._snapshots import COMPLIANT, decide_for, determination, vat_refund

TITLE_ZH = vat_refund().title_zh
TITLE_EN = vat_refund().title_en


def test_possibly_eligible_lists_the_missing_facts_and_cites_the_clause() -> None:
    data = determination(decide_for(industry="C3921"))
    message = message_for(EligibilityChanged.from_data(data))
    assert message.title_zh == f"可能符合条件：{TITLE_ZH}"
    assert message.title_en == f"You may qualify: {TITLE_EN}"
    assert message.body_zh.startswith(
        "依据《关于巩固回升向好趋势加力振作工业经济的通知》（十六）。"
    )
    assert message.body_en.startswith("Under clause (16) of the 2022 notice")
    assert (
        "请补充以下信息以完成判断：纳税信用等级、36个月内有骗取留抵退税、出口退税或虚开发票情形、"
        "36个月内因偷税受处罚次数、2019年4月1日起享受过增值税即征即退、先征后返（退）。"
    ) in message.body_zh
    assert (
        " Provide these facts to complete the check: tax credit grade; refund fraud or false "
        "invoices in the last 36 months; tax-evasion penalties in the last 36 months; VAT "
        "immediate refund or refund after collection enjoyed since 1 April 2019."
    ) in message.body_en
    assert [f["fact"] for f in message.facts_to_provide] == [
        "tax_credit_grade",
        "vat_refund_fraud_36m",
        "tax_evasion_penalties_36m",
        "immediate_refund_since_2019",
    ]
    assert "Not met" not in message.body_en


def test_only_the_missing_facts_are_asked_for() -> None:
    data = determination(decide_for(tax_credit_grade="A", vat_refund_fraud_36m=False))
    message = message_for(EligibilityChanged.from_data(data))
    assert [f["fact"] for f in message.facts_to_provide] == [
        "tax_evasion_penalties_36m",
        "immediate_refund_since_2019",
    ]
    assert "纳税信用等级" not in message.body_zh.partition("请补充")[2]
    assert "tax credit grade" not in message.body_en.partition("Provide")[2]


@pytest.mark.parametrize("previous", [None, Status.POSSIBLY_ELIGIBLE, Status.INELIGIBLE])
def test_eligible_headline_with_its_reasons(previous: Status | None) -> None:
    message = message_for(
        EligibilityChanged.from_data(determination(decide_for(**COMPLIANT), previous))
    )
    assert message.title_zh == f"符合条件：{TITLE_ZH}"
    assert message.title_en == f"You qualify: {TITLE_EN}"
    assert message.facts_to_provide == []
    assert "(16)" in message.body_en
    assert "Provide" not in message.body_en
    assert "请补充" not in message.body_zh
    assert message.reasons_zh[0] == "同时满足以下全部条件："
    assert message.reasons_zh[1] == "  满足以下任一条件："
    assert message.reasons_zh[2].startswith(
        "    【符合】行业门类：制造业，需为农、林、牧、渔业、制造业、"
    )
    assert message.reasons_zh[2].endswith("卫生和社会工作或文化、体育和娱乐业")
    assert "  【符合】纳税信用等级：A级，需为A级或B级" in message.reasons_zh
    assert "  [met] tax credit grade: grade A; needs grade A or grade B" in message.reasons_en


def test_ineligible_without_a_previous_status_says_why_in_each_language() -> None:
    data = determination(decide_for(**(COMPLIANT | {"tax_credit_grade": "M"})))
    message = message_for(EligibilityChanged.from_data(data))
    assert message.title_zh == f"不符合条件：{TITLE_ZH}"
    assert message.title_en == f"You do not qualify: {TITLE_EN}"
    assert "未满足的条件：纳税信用等级：M级，需为A级或B级。" in message.body_zh
    assert "Not met: tax credit grade: grade M; needs grade A or grade B." in message.body_en


def test_ineligible_after_eligible_no_longer_qualifies() -> None:
    decision = decide_for(**(COMPLIANT | {"vat_refund_fraud_36m": True}))
    message = message_for(EligibilityChanged.from_data(determination(decision, Status.ELIGIBLE)))
    assert message.title_zh == f"不再符合条件：{TITLE_ZH}"
    assert message.title_en == f"You no longer qualify: {TITLE_EN}"
    assert "refund fraud or false invoices in the last 36 months: yes; needs no" in message.body_en
    assert "36个月内有骗取留抵退税、出口退税或虚开发票情形：是，需为否" in message.body_zh


def test_not_met_lists_only_the_conditions_that_decided_the_failure() -> None:
    data = determination(decide_for(**(COMPLIANT | {"tax_credit_grade": "M"})))
    message = message_for(EligibilityChanged.from_data(data))
    assert "industry division" not in message.body_en
    assert "行业大类" not in message.body_zh


def test_an_assumed_basis_is_said_in_the_notice() -> None:
    message = message_for(EligibilityChanged.from_data(determination(decide_for(**COMPLIANT))))
    assert "说明：本措施的部分依据为推定——行业按企业登记的行业判断" in message.body_zh
    assert "Note: part of this measure's basis is assumed." in message.body_en


def test_an_event_from_before_the_chinese_sentences_puts_no_english_in_chinese() -> None:
    data = determination(decide_for(**(COMPLIANT | {"tax_credit_grade": "M"})))
    for criterion in data["criteria"]:
        del criterion["text_zh"], criterion["text_en"]
    del data["tree"]
    message = message_for(EligibilityChanged.from_data(data))
    assert message.reasons_zh == ()
    assert message.reasons_en[0].startswith("[met]")
    assert "Not met: tax credit grade" in message.body_en
    assert "未满足的条件：纳税信用等级。" in message.body_zh
