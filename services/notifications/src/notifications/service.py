"""Use cases behind the API: inbox, preferences, webhook subscriptions, delivery log, responses."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from notifications.adapters import deliveries, recipients, repository
from notifications.adapters.webhooks import WebhookSender
from notifications.domain import signing
from notifications.domain.preferences import Preferences
from notifications.domain.recipients import Recipient, RecipientKind
from notifications.domain.webhook_urls import RefusedDestination
from supportmatch_core.auth import Principal, Role
from supportmatch_core.db import UnitOfWork
from supportmatch_core.problems import Forbidden, Invalid, NotFound, UnknownEnterprise


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose notifications a request is about: an enterprise, or the calling caseworker."""

    kind: RecipientKind
    key: str

    @classmethod
    def enterprise(cls, uscc: str) -> Scope:
        return cls(RecipientKind.ENTERPRISE, uscc)

    @classmethod
    def caseworker(cls, principal: Principal) -> Scope:
        if principal.role is not Role.CASEWORKER:
            raise Forbidden(
                "only a caseworker has a caseworker inbox", zh="只有服务专员有专员收件箱"
            )
        return cls(RecipientKind.CASEWORKER, principal.subject)


@contextmanager
def _recipient(
    uow: UnitOfWork, principal: Principal, scope: Scope, now: datetime
) -> Iterator[tuple[Connection, Recipient]]:
    """The authorized recipient, created with default preferences on first use, in one transaction."""
    with uow.begin() as connection:
        found = recipients.recipient(connection, scope.kind, scope.key)
        if scope.kind is RecipientKind.ENTERPRISE:
            province = found.province_code if found and found.province_code else scope.key[2:4]
            if not principal.may_access(uscc=scope.key, province_code=province):
                raise UnknownEnterprise(scope.key)  # as profiles answers: no probing of USCCs
            if found is None:
                found = recipients.ensure_recipient(
                    connection, scope.kind, scope.key, now=now, province_code=province
                )
        else:
            if found is None:
                found = recipients.ensure_recipient(
                    connection, scope.kind, scope.key, now=now, name=principal.subject
                )
            # A caseworker's regions are those of its latest token.
            if recipients.caseworker_regions_of(connection, found.id) != principal.regions:
                recipients.set_caseworker_regions(connection, found.id, set(principal.regions))
        yield connection, found


def inbox(
    *,
    uow: UnitOfWork,
    principal: Principal,
    scope: Scope,
    limit: int,
    before: int | None,
    unread: bool,
    now: datetime,
) -> dict[str, Any]:
    with _recipient(uow, principal, scope, now) as (connection, recipient):
        rows = repository.entries(
            connection, recipient.id, limit=limit, before=before, unread=unread
        )
        count = repository.unread_count(connection, recipient.id)
    return {"entries": [row._asdict() for row in rows], "unread": count}


def mark_read(
    *, uow: UnitOfWork, principal: Principal, scope: Scope, entry_id: int | None, now: datetime
) -> int:
    with _recipient(uow, principal, scope, now) as (connection, recipient):
        return repository.mark_read(connection, recipient.id, entry_id, now)


def preferences(*, uow: UnitOfWork, principal: Principal, scope: Scope, now: datetime) -> Recipient:
    with _recipient(uow, principal, scope, now) as (_, recipient):
        return recipient


def update_preferences(
    *,
    uow: UnitOfWork,
    principal: Principal,
    scope: Scope,
    changes: dict[str, Any],
    now: datetime,
) -> Recipient:
    """Apply the given preference fields (and email); the others keep their values."""
    with _recipient(uow, principal, scope, now) as (connection, recipient):
        email = changes.pop("email", recipient.email)
        updated: Preferences = replace(recipient.preferences, **changes)
        recipients.update_recipient(
            connection,
            recipient.id,
            email=email,
            updated_at=now,
            **recipients.preferences_values(updated),
        )
        if email and email != recipient.email:
            deliveries.release_awaiting(connection, recipient.id, now=now)
        return replace(recipient, email=email, preferences=updated)


def respond(
    *,
    uow: UnitOfWork,
    principal: Principal,
    uscc: str,
    measure_id: str,
    response: str,
    now: datetime,
) -> None:
    """The firm applied for or declined a measure: no more reminders about it."""
    with _recipient(uow, principal, Scope.enterprise(uscc), now) as (connection, _):
        repository.respond(
            connection,
            uscc=uscc,
            measure_id=measure_id,
            response=response,
            by=principal.subject,
            now=now,
        )


def responses(*, uow: UnitOfWork, principal: Principal, uscc: str, now: datetime) -> list[Any]:
    with _recipient(uow, principal, Scope.enterprise(uscc), now) as (connection, _):
        return [row._asdict() for row in repository.responses_of(connection, uscc)]


def delivery_log(
    *,
    uow: UnitOfWork,
    principal: Principal,
    scope: Scope,
    limit: int,
    before: int | None,
    status: str | None,
    channel: str | None,
    now: datetime,
) -> list[dict[str, Any]]:
    with _recipient(uow, principal, scope, now) as (connection, recipient):
        return deliveries.log_of(
            connection, recipient.id, limit=limit, before=before, status=status, channel=channel
        )


# Webhook subscriptions


def subscribe(
    *,
    uow: UnitOfWork,
    principal: Principal,
    scope: Scope,
    url: str,
    sender: WebhookSender,
    now: datetime,
) -> dict[str, Any]:
    """A new subscription to the URL's normal form; its secret is shown in this answer only."""
    try:
        url = sender.check(url)
    except RefusedDestination as error:
        raise Invalid(
            "url", str(error), zh="不接受该地址（内网、本机和链路本地地址均不接受）"
        ) from error
    secret = signing.new_secret()
    subscription_id = "wh_" + secrets.token_hex(8)
    with _recipient(uow, principal, scope, now) as (connection, recipient):
        deliveries.add_subscription(
            connection,
            id=subscription_id,
            recipient_id=recipient.id,
            url=url,
            secret=secret,
            now=now,
        )
        row = deliveries.subscription(connection, subscription_id)
    assert row is not None
    return {**_public(row), "secret": secret}


def subscriptions(
    *, uow: UnitOfWork, principal: Principal, scope: Scope, now: datetime
) -> list[dict[str, Any]]:
    with _recipient(uow, principal, scope, now) as (connection, recipient):
        return [_public(r) for r in deliveries.subscriptions_of(connection, recipient.id)]


def rotate(
    *,
    uow: UnitOfWork,
    principal: Principal,
    scope: Scope,
    subscription_id: str,
    keep_previous: timedelta,
    now: datetime,
) -> dict[str, Any]:
    """A new secret; the previous one keeps signing for `keep_previous`, so receivers can switch."""
    secret = signing.new_secret()
    with _recipient(uow, principal, scope, now) as (connection, recipient):
        _owned(connection, recipient, subscription_id)
        deliveries.rotate_secret(
            connection, subscription_id, secret=secret, previous_valid_until=now + keep_previous
        )
        row = deliveries.subscription(connection, subscription_id)
    assert row is not None
    return {**_public(row), "secret": secret}


def unsubscribe(
    *, uow: UnitOfWork, principal: Principal, scope: Scope, subscription_id: str, now: datetime
) -> None:
    with _recipient(uow, principal, scope, now) as (connection, recipient):
        _owned(connection, recipient, subscription_id)
        deliveries.expedite_pending_of_subscription(connection, subscription_id, at=now)
        deliveries.delete_subscription(connection, subscription_id)


def ping(
    *,
    uow: UnitOfWork,
    principal: Principal,
    scope: Scope,
    subscription_id: str,
    sender: WebhookSender,
    now: datetime,
) -> dict[str, Any]:
    """Send a signed test request now and say how the receiver answered."""
    with _recipient(uow, principal, scope, now) as (connection, recipient):
        hook = _owned(connection, recipient, subscription_id)
    body = json.dumps(
        {"topic": "ping", "subscription": subscription_id, "created_at": now.isoformat()}
    ).encode()
    attempt = sender.attempt(
        hook.url,
        body,
        secrets_in_use=deliveries.secrets_in_use(hook, now),
        delivery_id=f"ping-{secrets.token_hex(6)}",
        topic="ping",
        timestamp=int(now.timestamp()),
    )
    return {
        "delivered": attempt.outcome == "sent",
        "detail": attempt.detail,
        "duration_ms": attempt.duration_ms,
    }


def _owned(connection: Connection, recipient: Recipient, subscription_id: str) -> Any:
    hook = deliveries.subscription(connection, subscription_id)
    if hook is None or hook.recipient_id != recipient.id:
        raise NotFound(
            f"no webhook subscription {subscription_id}",
            zh=f"没有编号为{subscription_id}的回调订阅",
        )
    return hook


def _public(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "enabled": row.enabled,
        "consecutive_failures": row.consecutive_failures,
        "disabled_reason": row.disabled_reason,
        "previous_secret_valid_until": row.previous_valid_until,
        "created_at": row.created_at,
    }
