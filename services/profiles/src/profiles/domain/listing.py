"""What an enterprise list asks for: each given filter narrows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Filters:
    """Each given filter narrows the list; `provinces` also carries the caller's own limits."""

    provinces: frozenset[str] | None = None
    region: str | None = None
    industry_prefix: str | None = None
    size_class: str | None = None
    ownership: str | None = None
    certification: str | None = None
    certified_on: date | None = None
    name_contains: str | None = None
    uscc: str | None = None
