"""Dependencies shared by the eligibility routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import AfterValidator, Field

from eligibility.adapters.tables import backbone
from eligibility.domain.catalogue import Catalogue
from eligibility.lifecycle import refresh
from supportmatch_core.auth import Principal, Role, require_role
from supportmatch_core.fields import UowDep, UsccPath
from supportmatch_core.outbox import Outbox
from supportmatch_reference.clauses import clause_of
from supportmatch_reference.said import SaidValueError

USCC = UsccPath
__all__ = ["USCC", "AdminDep", "CatalogueDep", "ClauseFilter", "OutboxDep", "UowDep"]


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


def _clause(value: str | None) -> str | None:
    if value is None:
        return None
    clause = clause_of(value)
    if clause is None:
        raise SaidValueError(
            "not a clause of the notice: write （十六）, (十六), 十六 or 16",
            "不是通知的条款：请写作（十六）、(十六)、十六或16",
        )
    return clause


# A clause of the notice as a filter, however it is written; read as the catalogue writes it.
ClauseFilter = Annotated[
    str | None,
    Field(max_length=10, description="（十六）, (十六), 十六 or 16"),
    AfterValidator(_clause),
]
