"""The notifications service's use cases as the tests run them: each in a transaction of its own
on a test's unit of work (as a route opens one), or in a transaction the test opened."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from notifications import handlers
from notifications.adapters.unit_of_work import SqlWork
from notifications.use_cases import inbox as inboxes
from notifications.use_cases import schedule, webhooks
from notifications.use_cases.recipients import Scope, recipient_for
from supportmatch_core.auth import Principal
from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event

__all__ = ["Scope"]
T = TypeVar("T")
Handler = Callable[[Connection, Event], None]
BatchHandler = Callable[[Connection, Sequence[Event]], None]


def _in_a_transaction(use_case: Callable[..., T]) -> Callable[..., T]:
    """The use case as a route runs it: in a transaction of its own, on `uow`'s connection."""

    def run(*, uow: UnitOfWork, **given: Any) -> T:
        with uow.begin() as connection:
            return use_case(SqlWork(connection), **given)

    return run


update_preferences = _in_a_transaction(inboxes.update_preferences)
preferences = _in_a_transaction(inboxes.preferences)
respond = _in_a_transaction(inboxes.respond)
subscribe = _in_a_transaction(webhooks.subscribe)
rotate = _in_a_transaction(webhooks.rotate)
unsubscribe = _in_a_transaction(webhooks.unsubscribe)


def inbox(
    *, uow: UnitOfWork, principal: Principal, scope: Scope, now: datetime, **page: Any
) -> dict[str, Any]:
    """An inbox page as its route reads it the first time: the recipient is written first."""
    with uow.begin() as connection:
        work = SqlWork(connection)
        return inboxes.inbox(work, recipient_for(work, principal, scope, now), **page)


def send_digests(connection: Connection, *, now: datetime, hour: int) -> int:
    return schedule.send_digests(SqlWork(connection), now=now, hour=hour)


def send_reminders(connection: Connection, *, now: datetime) -> int:
    return schedule.send_reminders(SqlWork(connection), now=now)


def determinations_handler(clock: Callable[[], datetime]) -> BatchHandler:
    """The determination consumer's batch handler, in the consumer's transaction."""
    return lambda c, events: handlers.determinations_changed(SqlWork(c), events, now=clock())


def one_by_one(batch: BatchHandler) -> Handler:
    return lambda connection, event: batch(connection, [event])


def profile_handler(clock: Callable[[], datetime]) -> Handler:
    return lambda c, event: handlers.profile_changed(SqlWork(c), event, now=clock())


def measure_handler(clock: Callable[[], datetime]) -> Handler:
    return lambda c, event: handlers.measure_changed(SqlWork(c), event, now=clock())
