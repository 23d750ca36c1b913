"""The ports every service's use cases share: the outbox of a transaction, and the unit of work
that opens the transactions of a service's `Work` (each service's `use_cases/ports.py` names it)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar

from supportmatch_core.contracts.event import TypedEvent

W_co = TypeVar("W_co", covariant=True)


class Outbox(Protocol):
    """Events written in this transaction, published after it commits."""

    def publish(self, events: Sequence[TypedEvent]) -> None: ...


class Transactions(Protocol[W_co]):
    """Opens transactions: `begin` commits at the end of its block (or rolls back on an error),
    `read` only reads."""

    def begin(self) -> AbstractContextManager[W_co]: ...
    def read(self) -> AbstractContextManager[W_co]: ...
