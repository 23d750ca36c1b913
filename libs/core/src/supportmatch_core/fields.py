"""Typed request fields shared by every API: USCC, province and industry codes, the unit of work."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, Field, StringConstraints

from supportmatch_reference import uscc as uscc_codes
from supportmatch_reference.industries import UnknownIndustry, parse_industry
from supportmatch_reference.regions import UnknownProvince, parse_province


def _uscc(value: str) -> str:
    try:
        return uscc_codes.normalize(value)
    except uscc_codes.InvalidUSCC as error:
        raise ValueError(f"not a valid unified social credit code: {error}") from error


# Control (incl. NUL), format (bidi overrides and isolates, zero-width), line and paragraph
# separators, and lone surrogates: characters that hide or reorder what a reader sees.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def visible_text(value: str) -> str:
    """`value` if it holds no control, bidi or zero-width character; ValueError naming it if not.

    Names in Chinese keep their middle dots, full-width brackets and spaces.
    """
    if value.isprintable():  # the common case, in C (false for non-ASCII spaces, kept below)
        return value
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) in _HIDDEN:
            code = f"U+{ord(char):04X}"
            raise ValueError(
                f"第 {position} 个字符 {code} 是控制符、双向文字控制符或零宽字符，请删去。"
                f"Character {position} ({code}) is a control, bidi or zero-width character; "
                "remove it."
            )
    return value


def _province(value: str) -> str:
    try:
        return parse_province(value).code
    except UnknownProvince as error:
        raise ValueError(str(error)) from error


def _industry(value: str) -> str:
    try:
        return parse_industry(value).code
    except UnknownIndustry as error:
        raise ValueError(str(error)) from error


Uscc = Annotated[
    str,
    Field(description="unified social credit code, 18 characters (GB 32100)"),
    AfterValidator(_uscc),
]
"""A USCC in a body, normalised to upper case after its check character is verified."""

ProvinceCode = Annotated[
    str, Field(description="name (广东, 广东省) or two-digit code (44)"), AfterValidator(_province)
]
"""A province given by name or code, read as its two-digit code."""

IndustryCode = Annotated[
    str, Field(description="GB/T 4754-2017 code, e.g. C3921"), AfterValidator(_industry)
]
"""An industry code present in GB/T 4754-2017, upper-cased."""

PlainText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(visible_text),
]
"""A short text people read: a firm's name, a city, an issuer; every character visible."""

UsccPath = Annotated[
    str,
    Path(
        min_length=18,
        max_length=18,
        pattern="^[0-9A-Za-z]{18}$",
        description="unified social credit code",
    ),
]


# An email address as people type it: checked for shape only (delivery tells the rest), with
# no control character (PostgreSQL refuses NUL in text, and none belongs in an address).
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(visible_text),
]
