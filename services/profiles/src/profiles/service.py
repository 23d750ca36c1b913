"""Use cases of the profiles service: each runs in one unit of work with its outbox event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from profiles.adapters import repository
from profiles.domain.model import Enterprise, Ownership
from profiles.domain.rules import check_province
from profiles.domain.snapshot import profile_changed
from supportmatch_core.auth import Principal
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox
from supportmatch_core.problems import Forbidden, NotFound
from supportmatch_core.topics import PROFILE
from supportmatch_reference.industries import Industry
from supportmatch_reference.regions import Province


def register_enterprise(
    *,
    uow: UnitOfWork,
    outbox: Outbox,
    principal: Principal,
    uscc: str,
    name: str,
    province: Province,
    industry: Industry,
    ownership: Ownership,
    facts: dict[str, Any],
) -> Enterprise:
    """Register a new enterprise and publish its first snapshot."""
    checked = check_province(uscc, province)
    if not principal.may_access(uscc=uscc, province_code=province.code):
        raise Forbidden("you may not register this enterprise")
    now = datetime.now(UTC)
    enterprise = Enterprise(
        uscc=uscc,
        name=name,
        province=province,
        industry=industry,
        ownership=ownership,
        version=1,
        created_at=now,
        updated_at=now,
        province_checked=checked,
        facts=facts,
    )
    with uow.begin() as connection:
        repository.add(connection, enterprise)
        outbox.add(connection, topic=PROFILE, event=profile_changed(enterprise))
    return enterprise


def read_enterprise(*, uow: UnitOfWork, principal: Principal, uscc: str) -> Enterprise:
    """The enterprise `uscc`, if the caller may see it."""
    if principal.uscc is not None and principal.uscc != uscc:
        raise Forbidden("an enterprise may read only its own record")
    with uow.read() as connection:
        enterprise = repository.get(connection, uscc)
    if enterprise is None:
        raise NotFound(f"no enterprise {uscc}")
    if not principal.may_access(uscc=uscc, province_code=enterprise.province.code):
        raise Forbidden("this enterprise is outside your regions")
    return enterprise
