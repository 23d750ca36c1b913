"""Consumer handlers: determination changes, enterprise profiles and published measures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from notifications.adapters import repository
from notifications.domain.messages import digest_line, measure_published, message_for, worth_telling
from notifications.domain.preferences import Channel
from notifications.domain.recipients import RecipientKind
from notifications.fanout import About, notify
from supportmatch_core.consumer import Handler
from supportmatch_core.events import Event

Clock = Callable[[], datetime]


def determination_handler(clock: Clock) -> Handler:
    """eligibility.determination.v1: tell the firm, and its region's caseworkers in their digest."""

    def handle(connection: Connection, event: Event) -> None:
        data = event.data
        now = clock()
        uscc, province, measure = data["uscc"], data["province_code"], data["measure"]
        repository.hold(connection, uscc=uscc, measure=measure, status=data["status"], now=now)
        if not worth_telling(data):
            return
        message = message_for(data)
        firm = repository.ensure_recipient(
            connection, RecipientKind.ENTERPRISE, uscc, now=now, province_code=province
        )
        about = About(uscc=uscc, province_code=province, measure=measure, status=data["status"])
        notify(connection, firm, message, trigger=event.id, now=now, about=about)
        for caseworker in repository.caseworkers_of(connection, province):
            if about.measure_kind in caseworker.preferences.opted_out_kinds:
                continue
            repository.add_digest_item(
                connection,
                recipient_id=caseworker.id,
                trigger=event.id,
                uscc=uscc,
                lines=digest_line(message, enterprise=firm.name or uscc),
                now=now,
            )

    return handle


def profile_handler(clock: Clock) -> Handler:
    """enterprise.profile.v1: keep the firm's name and province, and its contact if given."""

    def handle(connection: Connection, event: Event) -> None:
        data = event.data
        now = clock()
        province = data["province"]["code"]
        firm = repository.ensure_recipient(
            connection,
            RecipientKind.ENTERPRISE,
            data["uscc"],
            now=now,
            province_code=province,
            name=data["name"],
        )
        changes: dict[str, Any] = {}
        if firm.name != data["name"]:
            changes["name"] = data["name"]
        if firm.province_code != province:
            changes["province_code"] = province
        contact = data.get("contact") or {}
        if contact.get("email") and not firm.email:  # what the firm set here wins
            changes["email"] = contact["email"]
        if changes:
            repository.update_recipient(connection, firm.id, updated_at=now, **changes)

    return handle


def measure_handler(clock: Clock) -> Handler:
    """policy.measure.v1: keep the end dates of held measures right for reminders; tell every
    caseworker of a new version, and the firms holding the measure of a changed one."""

    def handle(connection: Connection, event: Event) -> None:
        data = event.data
        now = clock()
        measure = measure_reference(data)
        repository.follow_measure(connection, measure=measure, now=now)
        if data["lifecycle"] == "retired":
            return  # the re-match that follows tells each firm whose status changes
        changed = data["lifecycle"] == "changed" or data["version"] > 1
        message = measure_published(measure, changed=changed)
        about = About(measure=measure)
        for caseworker in repository.all_caseworkers(connection):
            notify(
                connection,
                caseworker,
                message,
                trigger=event.id,
                now=now,
                about=about,
                channels=frozenset({Channel.INBOX}),
            )
        if not changed:
            return
        for holder in repository.holders_of(connection, measure["id"]):
            firm = repository.ensure_recipient(
                connection, RecipientKind.ENTERPRISE, holder.uscc, now=now
            )
            notify(
                connection,
                firm,
                message,
                trigger=event.id,
                now=now,
                about=About(uscc=holder.uscc, province_code=firm.province_code, measure=measure),
            )

    return handle


def measure_reference(data: dict[str, Any]) -> dict[str, Any]:
    """The measure as determination events name it, from a policy.measure.v1 event."""
    document = data["document"]
    return {
        "id": data["measure_id"],
        "version": data["version"],
        "title_zh": document["title_zh"],
        "title_en": document["title_en"],
        "clause": document["clause"],
        "kind": document["kind"],
        "how_to_apply": document.get("how_to_apply", ""),
        "valid_to": data["valid_to"],
    }
