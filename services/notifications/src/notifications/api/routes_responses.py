"""HTTP routes of a firm's answers to measures (applied for, declined): its reminders stop."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from notifications.api.deps import NowDep, UowDep
from notifications.api.schemas import ResponseRead, ResponseWrite
from notifications.use_cases import inbox
from supportmatch_core.auth import CurrentPrincipal
from supportmatch_core.fields import UsccPath

router = APIRouter(prefix="/v1/enterprises/{uscc}/responses", tags=["reminders"])


@router.put("/{measure_id}", status_code=204)
def respond(
    uscc: UsccPath,
    measure_id: Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")],
    body: ResponseWrite,
    principal: CurrentPrincipal,
    uow: UowDep,
    now: NowDep,
) -> None:
    """Record that the firm applied for or declined a measure: its reminders stop."""
    with uow.begin() as work:
        inbox.respond(
            work,
            principal=principal,
            uscc=uscc.upper(),
            measure_id=measure_id,
            response=body.response,
            now=now,
        )


@router.get("")
def list_responses(
    uscc: UsccPath, principal: CurrentPrincipal, uow: UowDep, now: NowDep
) -> list[ResponseRead]:
    """The measures the firm marked as applied for or declined."""
    with uow.begin() as work:
        rows = inbox.responses(work, principal=principal, uscc=uscc.upper(), now=now)
    return [ResponseRead.model_validate(r) for r in rows]
