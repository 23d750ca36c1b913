"""The caller's language from Accept-Language, and validation errors said in Chinese."""

from __future__ import annotations

import re
from typing import Any

# A pydantic error type and how a Chinese reader is told; {name} fills from the error's context.
_ZH = {
    "missing": "必填",
    "extra_forbidden": "不接受此字段",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "string_type": "应为文本",
    "string_too_short": "至少{min_length}个字符",
    "string_too_long": "最多{max_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "greater_than_equal": "不能小于{ge}",
    "greater_than": "须大于{gt}",
    "less_than_equal": "不能大于{le}",
    "less_than": "须小于{lt}",
    "date_type": "应为日期（年-月-日）",
    "date_parsing": "应为日期（年-月-日）",
    "date_from_datetime_parsing": "应为日期（年-月-日）",
    "date_from_datetime_inexact": "应为日期（年-月-日）",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "应为日期时间",
    "time_type": "应为时间（时:分）",
    "time_parsing": "应为时间（时:分）",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "too_long": "最多{max_length}项",
    "too_short": "至少{min_length}项",
    "json_invalid": "不是有效的数据格式",
    "uuid_parsing": "格式不正确",
}


def preferred_language(header: str | None) -> str:
    """zh when Accept-Language prefers Chinese to English, else en (the API's first language)."""
    best, weight = "en", 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower()[:2]
        if language in ("zh", "en") and quality > weight:
            best, weight = language, quality
    return best


def validation_message_zh(error: dict[str, Any]) -> str:
    """A validation error in Chinese: from its type, or the Chinese an error raised in a validator
    carries (on itself or on the error it was raised from)."""
    context = error.get("ctx") or {}
    if error.get("type") == "value_error":
        raised = context.get("error")
        said = getattr(raised, "zh", None) or getattr(
            getattr(raised, "__cause__", None), "zh", None
        )
        return str(said) if said else "取值无效"
    template = _ZH.get(str(error.get("type")), "取值无效")
    if "expected" in context:  # pydantic's "'a', 'b' or 'c'" read as 「a、b或c」
        context = {**context, "expected": _choices_zh(str(context["expected"]))}
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].rstrip("：") or "取值无效"


def _choices_zh(expected: str) -> str:
    choices = re.findall(r"'([^']*)'", expected)
    if not choices:
        return expected
    listed = "、".join(choices[:-1]) + "或" + choices[-1] if len(choices) > 1 else choices[0]
    return f"「{listed}」"
