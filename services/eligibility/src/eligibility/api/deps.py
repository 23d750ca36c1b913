"""Dependencies shared by the eligibility routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from eligibility.adapters.tables import backbone
from eligibility.domain.catalogue import Catalogue
from eligibility.lifecycle import refresh
from supportmatch_core.auth import Principal, Role, require_role
from supportmatch_core.fields import UowDep, UsccPath
from supportmatch_core.outbox import Outbox

USCC = UsccPath
__all__ = ["USCC", "AdminDep", "CatalogueDep", "OutboxDep", "UowDep"]


def _catalogue(request: Request, uow: UowDep) -> Catalogue:
    """The catalogue, reloaded first if another instance published or retired a version."""
    catalogue: Catalogue = request.app.state.catalogue
    with uow.read() as connection:
        refresh(connection, catalogue)
    return catalogue


def new_outbox() -> Outbox:
    return Outbox(backbone)


CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
OutboxDep = Annotated[Outbox, Depends(new_outbox)]
AdminDep = Annotated[Principal, require_role(Role.ADMIN)]
