"""Dependencies shared by the eligibility routes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from pydantic import AfterValidator, Field

from eligibility.domain.catalogue import Catalogue
from eligibility.use_cases.catalogue import refresh
from eligibility.use_cases.ports import UnitOfWork
from supportmatch_core.auth import Principal, Role, require_role
from supportmatch_core.fields import UsccPath
from supportmatch_reference.clauses import clause_of
from supportmatch_reference.said import SaidValueError

USCC = UsccPath


def _uow(request: Request) -> UnitOfWork:
    uow: UnitOfWork = request.app.state.uow
    return uow


UowDep = Annotated[UnitOfWork, Depends(_uow)]


def _today(request: Request) -> date:
    """The evaluation day, from the application's clock (today in China unless a test sets one)."""
    today: date = request.app.state.today()
    return today


TodayDep = Annotated[date, Depends(_today)]


def _catalogue(request: Request, uow: UowDep) -> Catalogue:
    """The catalogue, reloaded first if another instance published or retired a version."""
    catalogue: Catalogue = request.app.state.catalogue
    with uow.read() as work:
        refresh(work, catalogue)
    return catalogue


CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
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
