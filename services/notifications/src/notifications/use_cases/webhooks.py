"""A recipient's webhook subscriptions: subscribe, list, rotate the secret, unsubscribe, ping."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from notifications.adapters.webhooks import WebhookSender
from notifications.domain import signing
from notifications.domain.recipients import Recipient
from notifications.domain.signing import secrets_in_use
from notifications.domain.webhook_urls import RefusedDestination
from notifications.use_cases.ports import Row, Work
from notifications.use_cases.recipients import Scope, recipient_for
from supportmatch_core.auth import Principal
from supportmatch_core.errors import NotFoundError, RuleBroken


class NoSubscription(NotFoundError):
    def __init__(self, subscription_id: str) -> None:
        super().__init__(
            f"no webhook subscription {subscription_id}",
            zh=f"没有编号为{subscription_id}的回调订阅",
        )


def subscribe(
    work: Work,
    *,
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
        raise RuleBroken(
            "url", str(error), zh="不接受该地址（内网、本机和链路本地地址均不接受）"
        ) from error
    secret = signing.new_secret()
    subscription_id = "wh_" + secrets.token_hex(8)
    recipient = recipient_for(work, principal, scope, now)
    work.subscriptions.add_subscription(
        id=subscription_id, recipient_id=recipient.id, url=url, secret=secret, now=now
    )
    row = work.subscriptions.subscription(subscription_id)
    assert row is not None
    return {**_public(row), "secret": secret}


def subscriptions(
    work: Work, *, principal: Principal, scope: Scope, now: datetime
) -> list[dict[str, object]]:
    recipient = recipient_for(work, principal, scope, now)
    return [_public(r) for r in work.subscriptions.subscriptions_of(recipient.id)]


def rotate(
    work: Work,
    *,
    principal: Principal,
    scope: Scope,
    subscription_id: str,
    keep_previous: timedelta,
    now: datetime,
) -> dict[str, Any]:
    """A new secret; the previous one keeps signing for `keep_previous`, so receivers can switch."""
    secret = signing.new_secret()
    owned(work, recipient_for(work, principal, scope, now), subscription_id)
    work.subscriptions.rotate_secret(
        subscription_id, secret=secret, previous_valid_until=now + keep_previous
    )
    row = work.subscriptions.subscription(subscription_id)
    assert row is not None
    return {**_public(row), "secret": secret}


def unsubscribe(
    work: Work, *, principal: Principal, scope: Scope, subscription_id: str, now: datetime
) -> None:
    owned(work, recipient_for(work, principal, scope, now), subscription_id)
    work.subscriptions.expedite_pending_of_subscription(subscription_id, at=now)
    work.subscriptions.delete_subscription(subscription_id)


def owned(work: Work, recipient: Recipient, subscription_id: str) -> Row:
    """The recipient's subscription `subscription_id`; NoSubscription when it is not theirs."""
    hook = work.subscriptions.subscription(subscription_id)
    if hook is None or hook.recipient_id != recipient.id:
        raise NoSubscription(subscription_id)
    return hook


def ping(hook: Row, *, sender: WebhookSender, now: datetime) -> dict[str, object]:
    """Send a signed test request to the subscription now and say how the receiver answered
    (outside any transaction: a slow receiver holds nothing)."""
    body = json.dumps(
        {"topic": "ping", "subscription": hook.id, "created_at": now.isoformat()}
    ).encode()
    attempt = sender.attempt(
        hook.url,
        body,
        secrets_in_use=secrets_in_use(
            hook.secret, hook.previous_secret, hook.previous_valid_until, now
        ),
        delivery_id=f"ping-{secrets.token_hex(6)}",
        topic="ping",
        timestamp=int(now.timestamp()),
    )
    return {
        "delivered": attempt.outcome == "sent",
        "detail": attempt.detail,
        "duration_ms": attempt.duration_ms,
    }


def _public(row: Row) -> dict[str, object]:
    return {
        "id": row.id,
        "url": row.url,
        "enabled": row.enabled,
        "consecutive_failures": row.consecutive_failures,
        "disabled_reason": row.disabled_reason,
        "previous_secret_valid_until": row.previous_valid_until,
        "created_at": row.created_at,
    }
