"""Whose notifications a request is about, and the recipient the caller may act for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifications.domain.recipients import Recipient, RecipientKind
from notifications.use_cases.ports import Work
from supportmatch_core.access import check_may_ask, check_may_see
from supportmatch_core.auth import Principal, Role
from supportmatch_core.errors import NotAllowed


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose notifications a request is about: an enterprise, or the calling caseworker."""

    kind: RecipientKind
    key: str

    @classmethod
    def enterprise(cls, uscc: str) -> Scope:
        return cls(RecipientKind.ENTERPRISE, uscc)

    @classmethod
    def caseworker(cls, principal: Principal) -> Scope:
        if principal.role is not Role.CASEWORKER:
            raise NotAllowed(
                "only a caseworker has a caseworker inbox", zh="只有服务专员有专员收件箱"
            )
        return cls(RecipientKind.CASEWORKER, principal.subject)


def recipient_for(work: Work, principal: Principal, scope: Scope, now: datetime) -> Recipient:
    """The recipient the caller may act for, created with default preferences on first use."""
    found = _stored(work, principal, scope)
    if scope.kind is RecipientKind.ENTERPRISE:
        return found or work.recipients.ensure_recipient(scope.kind, scope.key, now=now)
    if found is None:
        found = work.recipients.ensure_recipient(
            scope.kind, scope.key, now=now, name=principal.subject
        )
    # A caseworker's regions are those of its latest token.
    if work.recipients.caseworker_regions_of(found.id) != principal.regions:
        work.recipients.set_caseworker_regions(found.id, set(principal.regions))
    return found


def settled_recipient(work: Work, principal: Principal, scope: Scope) -> Recipient | None:
    """`recipient_for` in a transaction that only reads: None when that would create the
    recipient or change a caseworker's regions."""
    found = _stored(work, principal, scope)
    if found is None or scope.kind is RecipientKind.ENTERPRISE:
        return found
    return found if work.recipients.caseworker_regions_of(found.id) == principal.regions else None


def _stored(work: Work, principal: Principal, scope: Scope) -> Recipient | None:
    """The stored recipient of `scope`, once the caller is known to be allowed to act for it."""
    if scope.kind is RecipientKind.ENTERPRISE:
        check_may_ask(principal, scope.key)  # another firm's USCC is refused before any lookup
    found = work.recipients.recipient(scope.kind, scope.key)
    if scope.kind is RecipientKind.ENTERPRISE:
        # By the province this service holds for the firm: none before its profile came.
        province = found.province_code if found else None
        check_may_see(principal, uscc=scope.key, province_code=province)
    return found
