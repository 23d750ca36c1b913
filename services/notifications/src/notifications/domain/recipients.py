"""Who is told: an enterprise (by USCC) or a caseworker (by token subject, with regions)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from notifications.domain.preferences import Preferences


class RecipientKind(StrEnum):
    ENTERPRISE = "enterprise"
    CASEWORKER = "caseworker"


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    kind: RecipientKind
    key: str  # the USCC, or the caseworker's subject
    name: str
    province_code: str | None
    email: str | None
    preferences: Preferences

    @property
    def is_caseworker(self) -> bool:
        return self.kind is RecipientKind.CASEWORKER
