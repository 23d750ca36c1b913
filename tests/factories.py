"""Builders of test data: valid USCCs and enterprise payloads, each call a fresh one."""

from __future__ import annotations

import itertools
import random
from typing import Any

from supportmatch_reference import uscc as uscc_codes

_rng = random.Random(20221201)
_serial = itertools.count(1)


def new_uscc(province_code: str = "44", *, rng: random.Random | None = None) -> str:
    """A valid USCC registered in the province `province_code` (a city-level division of it)."""
    return uscc_codes.generate(rng or _rng, division=f"{province_code}0300")


def enterprise_payload(
    *,
    uscc: str | None = None,
    province: str = "广东",
    industry: str = "C3921",
    ownership: str = "private",
    **facts: Any,
) -> dict[str, Any]:
    """A POST /v1/enterprises body for a manufacturing firm in Guangdong unless told otherwise."""
    from supportmatch_reference.regions import parse_province

    code = parse_province(province).code
    body: dict[str, Any] = {
        "uscc": uscc or new_uscc(code),
        "name": f"测试制造有限公司{next(_serial)}",
        "province": province,
        "industry": industry,
        "ownership": ownership,
    }
    if facts:
        body["facts"] = facts
    return body
