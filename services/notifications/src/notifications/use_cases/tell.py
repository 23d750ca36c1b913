"""Telling of what the other services announce: a firm's determination changed (the firm and its
province's caseworkers), a firm's profile (its name, province and contact), a measure published."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from notifications.adapters import repository
from notifications.domain.messages import digest_line, measure_published, message_for, worth_telling
from notifications.domain.preferences import Channel
from notifications.domain.recipients import RecipientKind
from notifications.use_cases.notify import About, notify, writing
from notifications.use_cases.ports import Work
from supportmatch_core.events import Event


def tell_determinations(work: Work, events: Sequence[Event], *, now: datetime) -> None:
    """Tell each firm of its changed determinations, and its region's caseworkers in their
    digest; a batch of events at once gives the same rows as one by one."""
    latest = {}  # the last status of each (firm, measure) in the batch wins
    for event in events:
        data = event.data
        latest[data["uscc"], data["measure"]["id"]] = repository.hold_row(
            uscc=data["uscc"], measure=data["measure"], status=data["status"], now=now
        )
    work.notices.hold_all(list(latest.values()))
    told = [event for event in events if worth_telling(event.data)]
    if not told:
        return
    provinces = {e.data["uscc"]: e.data["province_code"] for e in told}
    firms = work.recipients.enterprises(provinces, now=now)
    caseworkers = work.recipients.caseworkers_in(set(provinces.values()))
    with writing(work) as writes:
        writes.prefetch_subscriptions([firm.id for firm in firms.values()])
        for event in told:
            data = event.data
            uscc, province, status = data["uscc"], data["province_code"], data["status"]
            firm, message = firms[uscc], message_for(data)
            about = About(uscc=uscc, province_code=province, measure=data["measure"], status=status)
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


def follow_profile(work: Work, event: Event, *, now: datetime) -> None:
    """Keep the firm's name and province, and its contact if given (what the firm set here wins)."""
    data = event.data
    province = data["province"]["code"]
    firm = work.recipients.ensure_recipient(
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
        work.recipients.update_recipient(firm.id, updated_at=now, **changes)
    if "email" in changes:
        work.deliveries.release_awaiting(firm.id, now=now)


def announce_measure(work: Work, event: Event, *, now: datetime) -> None:
    """Keep the end dates of held measures right for reminders; tell every caseworker of a new
    or changed version, and the firms holding an older version of it."""
    data = event.data
    measure = measure_reference(data)
    # Firms decided under an older version hear of the new one; those decided under it
    # already (its determinations may arrive first) and the catalogue's seed do not.
    holders = (
        work.notices.holders_of(measure["id"], before_version=measure["version"])
        if data["lifecycle"] == "published"
        else []
    )
    work.notices.follow_measure(measure=measure, now=now)
    if data["lifecycle"] == "retired":
        return  # the re-match that follows tells each firm whose status changes
    message = measure_published(
        measure, changed=data["lifecycle"] == "changed" or measure["version"] > 1
    )
    with writing(work) as writes:
        for caseworker in work.recipients.all_caseworkers():
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
            firms = work.recipients.enterprises(dict.fromkeys(chunk), now=now)
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
