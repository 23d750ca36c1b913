"""The enterprise as the profiles service knows it: identity, place, industry, ownership, facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from supportmatch_reference.industries import Industry
from supportmatch_reference.regions import Province


class Ownership(StrEnum):
    CENTRAL_SOE = "central_soe"
    LOCAL_SOE = "local_soe"
    PRIVATE = "private"
    FOREIGN = "foreign"
    COLLECTIVE = "collective"
    MIXED = "mixed"


@dataclass(frozen=True, slots=True)
class Enterprise:
    """One enterprise; `version` grows by one with every change and orders its snapshots."""

    uscc: str
    name: str
    province: Province
    industry: Industry
    ownership: Ownership
    version: int
    created_at: datetime
    updated_at: datetime
    province_checked: bool = True
    facts: dict[str, Any] = field(default_factory=dict)
