"""A recipient's inbox, preferences, delivery log and a firm's answers to measures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from notifications.domain.preferences import Preferences
from notifications.domain.recipients import Recipient
from notifications.use_cases.ports import Work
from notifications.use_cases.recipients import Scope, recipient_for
from supportmatch_core.auth import Principal


def inbox(
    work: Work, recipient: Recipient, *, limit: int, before: int | None, unread: bool
) -> dict[str, Any]:
    """The recipient's entries, newest first, and how many are unread."""
    rows = work.notices.entries(recipient.id, limit=limit, before=before, unread=unread)
    count = work.notices.unread_count(recipient.id)
    return {"entries": [row._asdict() for row in rows], "unread": count}


def mark_read(
    work: Work, *, principal: Principal, scope: Scope, entry_id: int | None, now: datetime
) -> int:
    recipient = recipient_for(work, principal, scope, now)
    return work.notices.mark_read(recipient.id, entry_id, now)


def preferences(work: Work, *, principal: Principal, scope: Scope, now: datetime) -> Recipient:
    return recipient_for(work, principal, scope, now)


def update_preferences(
    work: Work, *, principal: Principal, scope: Scope, changes: dict[str, Any], now: datetime
) -> Recipient:
    """Apply the given preference fields (and email); the others keep their values."""
    recipient = recipient_for(work, principal, scope, now)
    email = changes.pop("email", recipient.email)
    updated: Preferences = replace(recipient.preferences, **changes)
    work.recipients.set_preferences(recipient.id, email=email, preferences=updated, now=now)
    if email and email != recipient.email:
        work.deliveries.release_awaiting(recipient.id, now=now)
    return replace(recipient, email=email, preferences=updated)


def respond(
    work: Work, *, principal: Principal, uscc: str, measure_id: str, response: str, now: datetime
) -> None:
    """The firm applied for or declined a measure: no more reminders about it."""
    recipient_for(work, principal, Scope.enterprise(uscc), now)
    work.notices.respond(
        uscc=uscc, measure_id=measure_id, response=response, by=principal.subject, now=now
    )


def responses(
    work: Work, *, principal: Principal, uscc: str, now: datetime
) -> list[dict[str, object]]:
    recipient_for(work, principal, Scope.enterprise(uscc), now)
    return [row._asdict() for row in work.notices.responses_of(uscc)]


def delivery_log(
    work: Work,
    *,
    principal: Principal,
    scope: Scope,
    limit: int,
    before: int | None,
    status: str | None,
    channel: str | None,
    now: datetime,
) -> list[dict[str, object]]:
    recipient = recipient_for(work, principal, scope, now)
    return work.deliveries.log_of(
        recipient.id, limit=limit, before=before, status=status, channel=channel
    )
