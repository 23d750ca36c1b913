"""Dependencies shared by the eligibility routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from eligibility.domain.catalogue import Catalogue
from supportmatch_core.fields import UowDep, UsccPath

USCC = UsccPath
__all__ = ["USCC", "CatalogueDep", "UowDep"]


def _catalogue(request: Request) -> Catalogue:
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
