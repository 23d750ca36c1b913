"""What the tests of this folder do as an administrator: a firm made eligible, its preferences
set, a webhook subscribed."""

from __future__ import annotations

from typing import Any

from eligibility.domain.decision import Status
from supportmatch_core.auth import Principal, Role
from tests import notifications_steps as service
from tests.integration.notifying import Notifications
from tests.unit._snapshots import COMPLIANT, decide_for, determination

ADMIN = Principal(subject="admin", role=Role.ADMIN)


def eligible(uscc: str | None = None, previous: Status | None = None) -> dict[str, Any]:
    return determination(decide_for(**COMPLIANT), previous=previous, uscc=uscc)


def set_preferences(system: Notifications, uscc: str, **changes: Any) -> None:
    service.update_preferences(
        uow=system.uow,
        principal=ADMIN,
        scope=service.Scope.enterprise(uscc),
        changes=changes,
        now=system.clock(),
    )


def subscribe(system: Notifications, uscc: str, url: str) -> dict[str, Any]:
    return service.subscribe(
        uow=system.uow,
        principal=ADMIN,
        scope=service.Scope.enterprise(uscc),
        url=url,
        sender=system.sender,
        now=system.clock(),
    )
