"""Dependencies shared by the profiles routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from profiles.adapters.tables import backbone
from supportmatch_core.fields import UowDep, UsccPath
from supportmatch_core.outbox import Outbox

USCC = UsccPath
__all__ = ["USCC", "OutboxDep", "UowDep"]


def _outbox() -> Outbox:
    return Outbox(backbone)


OutboxDep = Annotated[Outbox, Depends(_outbox)]
