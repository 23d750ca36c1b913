"""Consumer handlers: determination changes, enterprise profiles and published measures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from notifications.adapters import deliveries, recipients, repository
from notifications.domain.messages import digest_line, measure_published, message_for, worth_telling
from notifications.domain.preferences import Channel
from notifications.domain.recipients import RecipientKind
from notifications.fanout import About, notify, writing
from supportmatch_core.consumer import BatchHandler, Handler
from supportmatch_core.events import Event

Clock = Callable[[], datetime]


def determinations_handler(clock: Clock) -> BatchHandler:
    """eligibility.determination.v1, a polled batch at once: tell each firm, and its region's
    caseworkers in their digest. Handling events one by one gives the same rows."""

    def handle(connection: Connection, events: Sequence[Event]) -> None:
        now = clock()
        latest = {}  # the last status of each (firm, measure) in the batch wins
        for event in events:
            data = event.data
            latest[data["uscc"], data["measure"]["id"]] = repository.hold_row(
                uscc=data["uscc"], measure=data["measure"], status=data["status"], now=now
            )
        repository.hold_all(connection, list(latest.values()))
        told = [event for event in events if worth_telling(event.data)]
        if not told:
            return
        provinces = {e.data["uscc"]: e.data["province_code"] for e in told}
        firms = recipients.enterprises(connection, provinces, now=now)
        caseworkers = recipients.caseworkers_in(connection, set(provinces.values()))
        with writing(connection) as writes:
            writes.prefetch_subscriptions([firm.id for firm in firms.values()])
            for event in told:
                data = event.data
                uscc, province, status = data["uscc"], data["province_code"], data["status"]
                firm, message = firms[uscc], message_for(data)
                about = About(
                    uscc=uscc, province_code=province, measure=data["measure"], status=status
                )
                notify(writes, firm, message, trigger=event.id, now=now, about=about)
                writes.digest += repository.digest_rows(
                    recipient_ids=[
                        c.id
                        for c in caseworkers[province]
                        if about.measure_kind not in c.preferences.opted_out_kinds
                    ],
                    trigger=event.id,
                    uscc=uscc,
                    lines=digest_line(message, enterprise=firm.name or uscc),
                    now=now,
                )

    return handle


def one_by_one(batch: BatchHandler) -> Handler:
    """The handler of single events (retries, the dead-letter path) for a batch handler."""
    return lambda connection, event: batch(connection, [event])


def profile_handler(clock: Clock) -> Handler:
    """enterprise.profile.v1: keep the firm's name and province, and its contact if given."""

    def handle(connection: Connection, event: Event) -> None:
        data = event.data
        now = clock()
        province = data["province"]["code"]
        firm = recipients.ensure_recipient(
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
            recipients.update_recipient(connection, firm.id, updated_at=now, **changes)
        if "email" in changes:
            deliveries.release_awaiting(connection, firm.id, now=now)

    return handle


def measure_handler(clock: Clock) -> Handler:
    """policy.measure.v1: keep the end dates of held measures right for reminders; tell every
    caseworker of a new or changed version, and the firms holding an older version of it."""

    def handle(connection: Connection, event: Event) -> None:
        data = event.data
        now = clock()
        measure = measure_reference(data)
        # Firms decided under an older version hear of the new one; those decided under it
        # already (its determinations may arrive first) and the catalogue's seed do not.
        holders = (
            repository.holders_of(connection, measure["id"], before_version=measure["version"])
            if data["lifecycle"] == "published"
            else []
        )
        repository.follow_measure(connection, measure=measure, now=now)
        if data["lifecycle"] == "retired":
            return  # the re-match that follows tells each firm whose status changes
        message = measure_published(
            measure, changed=data["lifecycle"] == "changed" or measure["version"] > 1
        )
        with writing(connection) as writes:
            for caseworker in recipients.all_caseworkers(connection):
                notify(
                    writes,
                    caseworker,
                    message,
                    trigger=event.id,
                    now=now,
                    about=About(measure=measure),
                    channels=frozenset({Channel.INBOX}),
                )
            for start in range(0, len(holders), 1000):
                chunk = holders[start : start + 1000]
                firms = recipients.enterprises(connection, dict.fromkeys(chunk), now=now)
                writes.prefetch_subscriptions([firm.id for firm in firms.values()])
                for uscc in chunk:
                    firm = firms[uscc]
                    notify(
                        writes,
                        firm,
                        message,
                        trigger=event.id,
                        now=now,
                        about=About(uscc=uscc, province_code=firm.province_code, measure=measure),
                    )
                writes.flush()

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
        "how_to_apply": document.get("how_to_apply_en") or document.get("how_to_apply", ""),
        "how_to_apply_zh": document.get("how_to_apply_zh", ""),
        "how_to_apply_en": document.get("how_to_apply_en") or document.get("how_to_apply", ""),
        "valid_to": data["valid_to"],
    }
