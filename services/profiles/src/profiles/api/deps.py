"""Dependencies shared by the profiles routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from profiles.use_cases.ports import UnitOfWork
from supportmatch_core.fields import UsccPath

USCC = UsccPath


def _uow(request: Request) -> UnitOfWork:
    uow: UnitOfWork = request.app.state.uow
    return uow


UowDep = Annotated[UnitOfWork, Depends(_uow)]
