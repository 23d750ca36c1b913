"""Dependencies shared by the eligibility routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from eligibility.domain.catalogue import Catalogue
from supportmatch_core.db import UnitOfWork


def _uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.runtime.engine)


def _catalogue(request: Request) -> Catalogue:
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


UowDep = Annotated[UnitOfWork, Depends(_uow)]
CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
USCC = Annotated[
    str,
    Path(
        min_length=18,
        max_length=18,
        pattern="^[0-9A-Za-z]{18}$",
        description="unified social credit code",
    ),
]
