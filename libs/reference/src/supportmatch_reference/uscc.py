"""The unified social credit code (统一社会信用代码, GB 32100-2015): check character and parts."""

from __future__ import annotations

import random

from supportmatch_reference.said import SaidValueError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidUSCC(SaidValueError):
    """A string that is not a valid unified social credit code; the message says why."""


def check_character(first17: str) -> str:
    """The 18th character of a code whose first 17 characters are `first17`."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    """Upper-case, trimmed `code` if it is a valid USCC; otherwise raise `InvalidUSCC`."""
    code = code.strip().upper()
    if len(code) != 18:
        raise InvalidUSCC(
            f"must have 18 characters, has {len(code)}",
            f"统一社会信用代码应为18位，现为{len(code)}位",
        )
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise InvalidUSCC(
            f"characters not allowed (I, O, S, V, Z are never used): {''.join(bad)}",
            f"含有不允许的字符（不使用I、O、S、V、Z）：{''.join(bad)}",
        )
    if not code[2:8].isdigit():
        raise InvalidUSCC(
            "characters 3-8 must be the 6-digit administrative division code",
            "第3至8位应为6位行政区划代码",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidUSCC(
            f"check character is {code[17]}, the code's content requires {expected}",
            f"校验码为{code[17]}，按代码内容应为{expected}",
        )
    return code


def division_code(code: str) -> str:
    """The 6-digit administrative division code (GB/T 2260) inside a valid USCC."""
    return code[2:8]


def generate(rng: random.Random, *, division: str, authority: str = "9", kind: str = "1") -> str:
    """A random well-formed code registered in `division` (for demo data and tests)."""
    body = authority + kind + division + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)
