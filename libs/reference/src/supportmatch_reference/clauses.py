"""Clauses of the notice, however they are written: （十六）, (十六), 十六, 16."""

from __future__ import annotations

import re

_NUMERALS = "一二三四五六七八九十"
_SPELLING = re.compile(r"^[（(]?\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*[）)]?$")


def numeral(number: int) -> str:
    """1 to 99 in Chinese numerals, as the notice numbers its clauses."""
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens - 1] + "十")
    return head + (_NUMERALS[ones - 1] if ones else "")


def _number(chinese: str) -> int | None:
    if "十" not in chinese:
        return _NUMERALS.index(chinese) + 1 if len(chinese) == 1 else None
    tens, _, ones = chinese.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in tens + ones:
        return None
    value = (_NUMERALS.index(tens) + 1 if tens else 1) * 10
    return value + (_NUMERALS.index(ones) + 1 if ones else 0)


def clause_of(text: str) -> str | None:
    """The clause as the catalogue writes it, （十六）, from any spelling; None if not a clause."""
    match = _SPELLING.match(text.strip())
    if match is None:
        return None
    spelled = match[1]
    number = int(spelled) if spelled.isdigit() else _number(spelled)
    return f"（{numeral(number)}）" if number and 1 <= number <= 99 else None


def clause_en(clause: str) -> str:
    """（十六） as an English reader writes it: (16)."""
    number = _number(clause.strip("（）()"))
    return f"({number})" if number else clause
