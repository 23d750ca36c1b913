"""Registering, reading, changing and listing enterprises, each as the caller may."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence

from profiles.domain.listing import Filters
from profiles.domain.model import Profile
from profiles.domain.rules import check_province
from profiles.use_cases.ports import ProfileWork, Row, Work
from profiles.use_cases.saving import save
from supportmatch_core.access import check_may_ask, check_may_see, may_see, visible_to
from supportmatch_core.auth import Principal
from supportmatch_core.errors import NotAllowed, UnknownEnterprise


def load(work: ProfileWork, principal: Principal, uscc: str, *, lock: bool = False) -> Profile:
    """The profile of `uscc` if it exists and the caller may see it; one answer if either fails."""
    check_may_ask(principal, uscc)
    profile = work.enterprises.get(uscc, lock=lock)
    if profile is None:
        raise UnknownEnterprise(uscc)
    check_may_see(principal, uscc=uscc, province_code=profile.enterprise.province.code)
    return profile


def register(work: ProfileWork, *, principal: Principal, profile: Profile) -> Profile:
    """Register a new enterprise and publish its first snapshot."""
    enterprise = profile.enterprise
    checked = check_province(enterprise.uscc, enterprise.province)
    if not may_see(principal, uscc=enterprise.uscc, province_code=enterprise.province.code):
        raise NotAllowed("you may not register this enterprise", zh="您无权登记该企业")
    profile = dataclasses.replace(
        profile, enterprise=dataclasses.replace(enterprise, province_checked=checked)
    )
    stored, _ = save(work, before=None, after=profile, by=principal.subject)
    return stored


def change(
    work: ProfileWork, *, principal: Principal, uscc: str, edit: Callable[[Profile], Profile]
) -> Profile:
    """Apply `edit` (Profile -> Profile) to the current profile and save the result."""
    before = load(work, principal, uscc, lock=True)
    after = edit(before)
    if after.enterprise.province.code != before.enterprise.province.code:
        checked = check_province(uscc, after.enterprise.province)
        after = dataclasses.replace(
            after, enterprise=dataclasses.replace(after.enterprise, province_checked=checked)
        )
        if not may_see(principal, uscc=uscc, province_code=after.enterprise.province.code):
            raise NotAllowed("you may not move an enterprise to a province you do not serve")
    stored, _ = save(work, before=before, after=after, by=principal.subject)
    return stored


def history(work: Work, *, principal: Principal, uscc: str) -> list[dict[str, object]]:
    """Every version of the enterprise, newest first: who, when and what changed."""
    load(work, principal, uscc)
    return [row._asdict() for row in work.enterprises.versions(uscc)]


def for_caller(filters: Filters, principal: Principal) -> Filters:
    """`filters` narrowed to the firms `principal` may see."""
    visible = visible_to(principal)
    provinces = filters.provinces
    if visible.provinces is not None:
        provinces = visible.provinces if provinces is None else provinces & visible.provinces
    return dataclasses.replace(filters, provinces=provinces, uscc=visible.uscc)


def page(
    work: Work, *, principal: Principal, filters: Filters, after: str | None, limit: int
) -> Sequence[Row]:
    """Up to `limit` enterprises the caller may see, in USCC order, after the cursor `after`."""
    return work.search.page(for_caller(filters, principal), after=after, limit=limit)


def every(work: Work, *, principal: Principal, filters: Filters) -> Iterator[Row]:
    """Every enterprise the caller may see that passes the filters (for the CSV export)."""
    return work.search.every(for_caller(filters, principal))
