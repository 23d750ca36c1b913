"""Dependencies shared by the notifications routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from notifications.adapters.webhooks import WebhookSender
from notifications.use_cases.ports import UnitOfWork
from notifications.use_cases.recipients import Scope
from supportmatch_core.auth import CurrentPrincipal
from supportmatch_core.fields import UsccPath


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def _sender(request: Request) -> WebhookSender:
    sender: WebhookSender = request.app.state.webhook_sender
    return sender


def _uow(request: Request) -> UnitOfWork:
    uow: UnitOfWork = request.app.state.uow
    return uow


def _enterprise(uscc: UsccPath) -> Scope:
    return Scope.enterprise(uscc.upper())


def _caseworker(principal: CurrentPrincipal) -> Scope:
    return Scope.caseworker(principal)


UowDep = Annotated[UnitOfWork, Depends(_uow)]
NowDep = Annotated[datetime, Depends(_now)]
SenderDep = Annotated[WebhookSender, Depends(_sender)]
EnterpriseScope = Annotated[Scope, Depends(_enterprise)]
CaseworkerScope = Annotated[Scope, Depends(_caseworker)]
