"""A measure draft as an administrator types it: JSON text, read into a document or refused with
the line and column of the mistake, and the next version started from the latest one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

MAX_TEXT = 200_000  # characters: the largest shipped measure is under 10,000


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a draft: where (a document path, or a line and column), in both languages."""

    where: str
    zh: str
    en: str


class NotJson(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.en)
        self.problem = problem


def read_text(text: str) -> dict[str, Any]:
    """The document the text holds; NotJson says where it stops being JSON (an object)."""
    if len(text) > MAX_TEXT:
        raise NotJson(
            Problem(
                "", f"文档过长（超过{MAX_TEXT:,}个字符）", f"longer than {MAX_TEXT:,} characters"
            )
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"{error.lineno}:{error.colno}"
        raise NotJson(
            Problem(
                where,
                f"第{error.lineno}行第{error.colno}列不是有效的JSON：{_said(error.msg)}",
                f"line {error.lineno}, column {error.colno} is not valid JSON: {error.msg}",
            )
        ) from error
    if not isinstance(document, dict):
        raise NotJson(
            Problem("", "文档应为一个JSON对象（以 { 开头）", "the document must be a JSON object")
        )
    return document


# What Python's JSON reader says, in Chinese: the usual slips of hand-editing.
_SAID = {
    "Expecting ',' delimiter": "此处缺少逗号",
    "Expecting ':' delimiter": "此处缺少冒号",
    "Expecting value": "此处缺少取值（或多了逗号）",
    "Expecting property name enclosed in double quotes": "字段名须用英文双引号括起（或多了逗号）",
    "Unterminated string starting at": "字符串缺少结尾的双引号",
    "Extra data": "文档结束后还有多余内容",
    "Invalid control character at": "字符串中有不允许的控制字符（换行须写作 \\n）",
}


def _said(message: str) -> str:
    return next((zh for en, zh in _SAID.items() if message.startswith(en)), "格式有误")


def next_draft(latest: dict[str, Any], *, starts: date) -> dict[str, Any]:
    """The next version's first draft: the latest version's document, numbered after it and in
    force from `starts`, open-ended."""
    return {
        **latest,
        "version": int(latest["version"]) + 1,
        "valid_from": starts.isoformat(),
        "valid_to": None,
    }


def shown(document: dict[str, Any]) -> str:
    """The document as the editor shows it: indented, Chinese as written."""
    return json.dumps(document, ensure_ascii=False, indent=2)


def overlaps(latest: dict[str, Any], document: dict[str, Any]) -> int | None:
    """The version in force (or to come) that the draft's days overlap, which publishing it
    must end; None when they follow each other."""
    if latest.get("ended"):
        return None
    ends, starts = latest.get("valid_to"), str(document.get("valid_from", ""))
    return None if ends is not None and ends < starts else int(latest["version"])
