"""The unified social credit code (统一社会信用代码, GB 32100-2015): check character and parts."""

from __future__ import annotations

import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidUSCC(ValueError):
    """A string that is not a valid unified social credit code; the message says why."""


def check_character(first17: str) -> str:
    """The 18th character of a code whose first 17 characters are `first17`."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    """Upper-case, trimmed `code` if it is a valid USCC; otherwise raise `InvalidUSCC`."""
    code = code.strip().upper()
    if len(code) != 18:
        raise InvalidUSCC(f"must have 18 characters, has {len(code)}")
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise InvalidUSCC(f"characters not allowed (I, O, S, V, Z are never used): {''.join(bad)}")
    if not code[2:8].isdigit():
        raise InvalidUSCC("characters 3-8 must be the 6-digit administrative division code")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidUSCC(f"check character is {code[17]}, the code's content requires {expected}")
    return code


def division_code(code: str) -> str:
    """The 6-digit administrative division code (GB/T 2260) inside a valid USCC."""
    return code[2:8]


def generate(rng: random.Random, *, division: str, authority: str = "9", kind: str = "1") -> str:
    """A random well-formed code registered in `division` (for demo data and tests)."""
    body = authority + kind + division + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)
