"""Who may see a firm: the one rule every service and the portal apply, for one firm or a list.

An enterprise sees its own firm only; a caseworker the firms whose stored province it serves; an
admin every firm. A firm whose province is not known here (not yet projected) is seen by no
caseworker. A refusal answers as "no such firm" (`UnknownEnterprise`), so nobody can learn which
USCCs exist by asking for firms that are not theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from supportmatch_core.auth import Principal, Role
from supportmatch_core.errors import UnknownEnterprise


@dataclass(frozen=True, slots=True)
class Visible:
    """The firms a caller may see: one USCC, some provinces, or (both None) every firm."""

    uscc: str | None = None
    provinces: frozenset[str] | None = None

    def admits(self, *, uscc: str, province_code: str | None) -> bool:
        """Whether the firm `uscc`, stored in `province_code` (None: not known), is visible."""
        if self.uscc is not None and self.uscc != uscc:
            return False
        if self.provinces is not None:
            return province_code is not None and province_code in self.provinces
        return True

    def may_ask(self, uscc: str) -> bool:
        """Whether asking about `uscc` can succeed before its province is known (the portal's
        check before it calls a service, which then decides by the stored province)."""
        return self.uscc is None or self.uscc == uscc.upper()


def visible_to(principal: Principal) -> Visible:
    """The firms `principal` may see."""
    if principal.role is Role.ADMIN:
        return Visible()
    if principal.role is Role.ENTERPRISE:
        return Visible(uscc=principal.uscc or "")
    return Visible(provinces=principal.regions)


def may_see(principal: Principal, *, uscc: str, province_code: str | None) -> bool:
    return visible_to(principal).admits(uscc=uscc, province_code=province_code)


def check_may_see(principal: Principal, *, uscc: str, province_code: str | None) -> None:
    """Raise `UnknownEnterprise` unless `principal` may see the firm."""
    if not may_see(principal, uscc=uscc, province_code=province_code):
        raise UnknownEnterprise(uscc)


def check_may_ask(principal: Principal, uscc: str) -> None:
    """Refuse at once a firm the caller can never see, before looking it up (no timing hint)."""
    if not visible_to(principal).may_ask(uscc):
        raise UnknownEnterprise(uscc)
