"""HTTP routes of a recipient's notifications: the same set for an enterprise (by USCC) and for
the calling caseworker (`/v1/caseworkers/me`): inbox, preferences, deliveries, webhooks."""

# No `from __future__ import annotations`: the routes below are built per scope, and FastAPI
# must see each scope's dependency type when the function is defined.

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request

from notifications.api.deps import CaseworkerScope, EnterpriseScope, NowDep, SenderDep, UowDep
from notifications.api.schemas import (
    DeliveryRead,
    Inbox,
    InboxEntry,
    Marked,
    PingResult,
    PreferencesRead,
    PreferencesUpdate,
    WebhookCreate,
    WebhookRead,
    WebhookWithSecret,
)
from notifications.use_cases import inbox, webhooks
from notifications.use_cases.ports import UnitOfWork
from notifications.use_cases.recipients import Scope, recipient_for, settled_recipient
from supportmatch_core.auth import CurrentPrincipal, Principal
from supportmatch_core.errors import NotFoundError
from supportmatch_core.openapi import created, link

SubscriptionId = Annotated[str, Path(max_length=32, pattern=r"^wh_[0-9a-f]{16}$")]
MAX_ID = 2**63 - 1  # a larger id would overflow the database's integer, failing with a 500


def _subscription_link(prefix: str, method: str, path: str) -> dict[str, Any]:
    """The OpenAPI link from a created subscription to one of its operations."""
    return link(
        method,
        f"/v1{prefix}/webhooks/{{subscription_id}}{path}",
        subscription_id="$response.body#/id",
        **({"uscc": "$request.path.uscc"} if "{uscc}" in prefix else {}),
    )


def _inbox_page(
    uow: UnitOfWork,
    principal: Principal,
    scope: Scope,
    now: datetime,
    *,
    limit: int,
    before: int | None,
    unread: bool,
) -> dict[str, Any]:
    """The inbox page, read without the write lock; only a first sight of the recipient (or a
    caseworker's new regions) takes it, to write them first."""
    with uow.read() as work:
        recipient = settled_recipient(work, principal, scope)
        if recipient is not None:
            return inbox.inbox(work, recipient, limit=limit, before=before, unread=unread)
    with uow.begin() as work:
        recipient = recipient_for(work, principal, scope, now)
        return inbox.inbox(work, recipient, limit=limit, before=before, unread=unread)


def _scoped(prefix: str, ScopeDep: Any, tag: str) -> APIRouter:  # noqa: N803
    router = APIRouter(prefix=f"/v1{prefix}", tags=[tag])

    @router.get("/inbox")
    def read_inbox(
        scope: ScopeDep,
        principal: CurrentPrincipal,
        uow: UowDep,
        now: NowDep,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        before: Annotated[
            int | None, Query(ge=1, le=MAX_ID, description="entries older than this id")
        ] = None,
        unread: Annotated[bool, Query(description="only unread entries")] = False,
    ) -> Inbox:
        """The inbox, newest first, with the unread count."""
        page = _inbox_page(uow, principal, scope, now, limit=limit, before=before, unread=unread)
        entries = [InboxEntry.model_validate(e) for e in page["entries"]]
        next_before = entries[-1].id if len(entries) == limit else None
        return Inbox(entries=entries, unread=page["unread"], next_before=next_before)

    @router.post("/inbox/{entry_id}/read", status_code=204)
    def mark_read(
        scope: ScopeDep,
        entry_id: Annotated[int, Path(ge=1, le=MAX_ID)],
        principal: CurrentPrincipal,
        uow: UowDep,
        now: NowDep,
    ) -> None:
        """Mark one inbox entry as read."""
        with uow.begin() as work:
            marked = inbox.mark_read(
                work, principal=principal, scope=scope, entry_id=entry_id, now=now
            )
        if not marked:
            raise NotFoundError(f"no unread inbox entry {entry_id}", zh=f"没有未读的通知{entry_id}")

    @router.post("/inbox/read")
    def mark_all_read(
        scope: ScopeDep, principal: CurrentPrincipal, uow: UowDep, now: NowDep
    ) -> Marked:
        """Mark every inbox entry as read."""
        with uow.begin() as work:
            marked = inbox.mark_read(work, principal=principal, scope=scope, entry_id=None, now=now)
        return Marked(marked=marked)

    @router.get("/preferences")
    def read_preferences(
        scope: ScopeDep, principal: CurrentPrincipal, uow: UowDep, now: NowDep
    ) -> PreferencesRead:
        """Channels, language, cadence, quiet hours and opt-outs."""
        with uow.begin() as work:
            recipient = inbox.preferences(work, principal=principal, scope=scope, now=now)
        return PreferencesRead.of(recipient)

    @router.patch("/preferences")
    def update_preferences(
        scope: ScopeDep,
        body: PreferencesUpdate,
        principal: CurrentPrincipal,
        uow: UowDep,
        now: NowDep,
    ) -> PreferencesRead:
        """Change some preferences; fields not given keep their values."""
        with uow.begin() as work:
            recipient = inbox.update_preferences(
                work, principal=principal, scope=scope, changes=body.changes(), now=now
            )
        return PreferencesRead.of(recipient)

    @router.get("/deliveries")
    def delivery_log(
        scope: ScopeDep,
        principal: CurrentPrincipal,
        uow: UowDep,
        now: NowDep,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        status: Literal["pending", "awaiting", "sent", "failed"] | None = None,
        channel: Literal["email", "webhook"] | None = None,
    ) -> list[DeliveryRead]:
        """Email and webhook deliveries with every attempt, newest first."""
        with uow.begin() as work:
            rows = inbox.delivery_log(
                work,
                principal=principal,
                scope=scope,
                limit=limit,
                before=before,
                status=status,
                channel=channel,
                now=now,
            )
        return [DeliveryRead.model_validate(r) for r in rows]

    @router.post(
        "/webhooks",
        status_code=201,
        responses=created(
            "The subscription with its signing secret",
            rotate=_subscription_link(prefix, "post", "/rotate"),
            ping=_subscription_link(prefix, "post", "/ping"),
            remove=_subscription_link(prefix, "delete", ""),
        ),
    )
    def create_webhook(
        scope: ScopeDep,
        body: WebhookCreate,
        principal: CurrentPrincipal,
        uow: UowDep,
        sender: SenderDep,
        now: NowDep,
    ) -> WebhookWithSecret:
        """Subscribe a URL; the answer carries the signing secret, shown only here."""
        with uow.begin() as work:
            subscribed = webhooks.subscribe(
                work, principal=principal, scope=scope, url=body.url, sender=sender, now=now
            )
        return WebhookWithSecret.model_validate(subscribed)

    @router.get("/webhooks")
    def list_webhooks(
        scope: ScopeDep, principal: CurrentPrincipal, uow: UowDep, now: NowDep
    ) -> list[WebhookRead]:
        with uow.begin() as work:
            rows = webhooks.subscriptions(work, principal=principal, scope=scope, now=now)
        return [WebhookRead.model_validate(r) for r in rows]

    @router.post("/webhooks/{subscription_id}/rotate")
    def rotate_secret(
        scope: ScopeDep,
        subscription_id: SubscriptionId,
        request: Request,
        principal: CurrentPrincipal,
        uow: UowDep,
        now: NowDep,
    ) -> WebhookWithSecret:
        """A new secret; the previous one keeps signing until `previous_secret_valid_until`."""
        hours = request.app.state.settings.webhook_previous_secret_hours
        with uow.begin() as work:
            rotated = webhooks.rotate(
                work,
                principal=principal,
                scope=scope,
                subscription_id=subscription_id,
                keep_previous=timedelta(hours=hours),
                now=now,
            )
        return WebhookWithSecret.model_validate(rotated)

    @router.delete("/webhooks/{subscription_id}", status_code=204)
    def delete_webhook(
        scope: ScopeDep,
        subscription_id: SubscriptionId,
        principal: CurrentPrincipal,
        uow: UowDep,
        now: NowDep,
    ) -> None:
        with uow.begin() as work:
            webhooks.unsubscribe(
                work, principal=principal, scope=scope, subscription_id=subscription_id, now=now
            )

    @router.post("/webhooks/{subscription_id}/ping")
    def ping_webhook(
        scope: ScopeDep,
        subscription_id: SubscriptionId,
        principal: CurrentPrincipal,
        uow: UowDep,
        sender: SenderDep,
        now: NowDep,
    ) -> PingResult:
        """Send a signed test request now; the answer says how the receiver responded."""
        with uow.begin() as work:
            recipient = recipient_for(work, principal, scope, now)
            hook = webhooks.owned(work, recipient, subscription_id)
        result = webhooks.ping(hook, sender=sender, now=now)
        return PingResult.model_validate(result)

    return router


enterprise_router = _scoped("/enterprises/{uscc}", EnterpriseScope, "enterprise notifications")
caseworker_router = _scoped("/caseworkers/me", CaseworkerScope, "caseworker notifications")
