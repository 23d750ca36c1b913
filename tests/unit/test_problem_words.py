"""The caller's language from Accept-Language; validation errors said in Chinese."""

from __future__ import annotations

import pytest

from supportmatch_core.problem_words import preferred_language, validation_message_zh
from supportmatch_reference.said import SaidValueError


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN", "zh"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR, zh;q=0.5", "zh"),
        ("de", "en"),
        ("zh;q=x", "en"),
    ],
)
def test_the_language_preferred(header: str | None, language: str) -> None:
    assert preferred_language(header) == language


def test_validation_errors_in_chinese() -> None:
    assert validation_message_zh({"type": "missing"}) == "必填"
    assert validation_message_zh({"type": "less_than_equal", "ctx": {"le": 100}}) == "不能大于100"
    assert validation_message_zh({"type": "something_new"}) == "取值无效"
    raised = SaidValueError("bad", "不对")
    assert validation_message_zh({"type": "value_error", "ctx": {"error": raised}}) == "不对"
    try:
        raise ValueError("wrapped") from raised
    except ValueError as wrapped:
        error = {"type": "value_error", "ctx": {"error": wrapped}}
        assert validation_message_zh(error) == "不对"
    assert (
        validation_message_zh({"type": "value_error", "ctx": {"error": ValueError()}}) == "取值无效"
    )


def test_the_choices_of_an_enum_are_listed_the_chinese_way() -> None:
    error = {"type": "enum", "ctx": {"expected": "'benefit', 'obligation' or 'opportunity'"}}
    assert validation_message_zh(error) == "应为以下之一：「benefit、obligation或opportunity」"
    single = {"type": "literal_error", "ctx": {"expected": "'zh'"}}
    assert validation_message_zh(single) == "应为以下之一：「zh」"
