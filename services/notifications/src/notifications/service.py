"""Use cases of the notifications service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from notifications.adapters import repository
from notifications.domain.messages import message_for, worth_telling
from supportmatch_core.auth import Principal
from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event
from supportmatch_core.problems import Forbidden


def on_eligibility_changed(connection: Connection, event: Event) -> None:
    """Consumer handler for eligibility.determination.v1: one inbox entry per change worth telling."""
    data = event.data
    if not worth_telling(data):
        return
    repository.add_entry(
        connection,
        uscc=data["uscc"],
        province_code=data["province_code"],
        event_id=event.id,
        measure_id=data["measure"]["id"],
        status=data["status"],
        message=message_for(data),
    )


def _authorize(connection: Connection, principal: Principal, uscc: str) -> None:
    province = repository.province_of(connection, uscc) or uscc[2:4]
    if not principal.may_access(uscc=uscc, province_code=province):
        raise Forbidden("you may not see this enterprise's inbox")


def inbox(
    *, uow: UnitOfWork, principal: Principal, uscc: str, limit: int, before: int | None
) -> dict[str, Any]:
    """The enterprise's inbox, newest first, with the unread count."""
    with uow.read() as connection:
        _authorize(connection, principal, uscc)
        rows = repository.entries(connection, uscc, limit=limit, before=before)
        unread = repository.unread_count(connection, uscc)
    return {"entries": [row._asdict() for row in rows], "unread": unread}


def mark_read(*, uow: UnitOfWork, principal: Principal, uscc: str, entry_id: int) -> bool:
    with uow.begin() as connection:
        _authorize(connection, principal, uscc)
        return repository.mark_read(connection, uscc, entry_id)
