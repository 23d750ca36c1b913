"""Dependencies shared by the profiles routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from profiles.adapters.tables import backbone
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox


def _uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.runtime.engine)


def _outbox() -> Outbox:
    return Outbox(backbone)


UowDep = Annotated[UnitOfWork, Depends(_uow)]
OutboxDep = Annotated[Outbox, Depends(_outbox)]
USCC = Annotated[
    str,
    Path(
        min_length=18,
        max_length=18,
        pattern="^[0-9A-Za-z]{18}$",
        description="unified social credit code",
    ),
]
