"""HTTP routes of the notifications service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from notifications import service
from supportmatch_core.auth import CurrentPrincipal
from supportmatch_core.fields import UowDep, UsccPath
from supportmatch_core.problems import NotFound

router = APIRouter(prefix="/v1", tags=["inbox"])

USCC = UsccPath


class InboxEntry(BaseModel):
    id: int
    uscc: str
    measure_id: str
    status: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    facts_to_provide: list[dict[str, str]]
    created_at: datetime
    read_at: datetime | None


class Inbox(BaseModel):
    entries: list[InboxEntry]
    unread: int
    next_before: int | None


@router.get("/enterprises/{uscc}/inbox")
def read_inbox(
    uscc: USCC,
    principal: CurrentPrincipal,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[
        int | None, Query(ge=1, description="cursor: entries older than this id")
    ] = None,
) -> Inbox:
    """The enterprise's inbox, newest first."""
    page = service.inbox(
        uow=uow, principal=principal, uscc=uscc.upper(), limit=limit, before=before
    )
    entries = [InboxEntry.model_validate(e) for e in page["entries"]]
    next_before = entries[-1].id if len(entries) == limit else None
    return Inbox(entries=entries, unread=page["unread"], next_before=next_before)


@router.post("/enterprises/{uscc}/inbox/{entry_id}/read", status_code=204)
def mark_read(uscc: USCC, entry_id: int, principal: CurrentPrincipal, uow: UowDep) -> None:
    """Mark one inbox entry as read."""
    if not service.mark_read(uow=uow, principal=principal, uscc=uscc.upper(), entry_id=entry_id):
        raise NotFound(f"no unread inbox entry {entry_id}")
