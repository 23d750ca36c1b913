"""Telling of what the other services announce: a firm's determination changed (the firm and its
province's caseworkers), a firm's profile (its name, province and contact), a measure published.
Each event comes with its id, the trigger that keeps every notice of it to one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from notifications.adapters import repository
from notifications.domain.messages import (
    case_news,
    caseworker_line,
    measure_published,
    message_for,
    worth_telling,
)
from notifications.domain.preferences import Channel
from notifications.domain.recipients import RecipientKind
from notifications.use_cases.notify import About, notify, writing
from notifications.use_cases.ports import Work
from supportmatch_core.contracts.case import CaseChanged
from supportmatch_core.contracts.determination import EligibilityChanged, Kind, MeasureReference
from supportmatch_core.contracts.measure import MeasureChanged
from supportmatch_core.contracts.profile import ProfileChanged


def tell_determinations(
    work: Work, changes: Sequence[tuple[str, EligibilityChanged]], *, now: datetime
) -> None:
    """Tell each firm of its changed determinations (each with its event id), and its region's
    caseworkers in their digest; a batch at once gives the same rows as one by one."""
    latest = {}  # the last status of each (firm, measure) in the batch wins
    for _, change in changes:
        latest[change.uscc, change.measure.id] = repository.hold_row(
            uscc=change.uscc, measure=change.measure, status=change.status, now=now
        )
    work.notices.hold_all(list(latest.values()))
    told = [(trigger, change) for trigger, change in changes if worth_telling(change)]
    if not told:
        return
    provinces: dict[str, str | None] = {c.uscc: c.province_code for _, c in told}
    firms = work.recipients.enterprises(provinces, now=now)
    caseworkers = work.recipients.caseworkers_in({c.province_code for _, c in told})
    with writing(work) as writes:
        writes.prefetch_subscriptions([firm.id for firm in firms.values()])
        for trigger, change in told:
            uscc, province = change.uscc, change.province_code
            firm, message = firms[uscc], message_for(change)
            about = About(uscc, province, change.measure, change.status)
            notify(writes, firm, message, trigger=trigger, now=now, about=about)
            writes.digest += repository.digest_rows(
                recipient_ids=[
                    c.id
                    for c in caseworkers[province]
                    if about.measure_kind not in c.preferences.opted_out_kinds
                ],
                trigger=trigger,
                uscc=uscc,
                lines=caseworker_line(change, enterprise=firm.name),
                now=now,
            )


def follow_profile(work: Work, profile: ProfileChanged, *, now: datetime) -> None:
    """Keep the firm's name and province, and its contact if given (what the firm set here wins)."""
    province = profile.province.code
    firm = work.recipients.ensure_recipient(
        RecipientKind.ENTERPRISE, profile.uscc, now=now, province_code=province, name=profile.name
    )
    changes: dict[str, str] = {}
    if firm.name != profile.name:
        changes["name"] = profile.name
    if firm.province_code != province:
        changes["province_code"] = province
    email = profile.contact.email if profile.contact else None
    if email and not firm.email:
        changes["email"] = email
    if changes:
        work.recipients.update_recipient(firm.id, updated_at=now, **changes)
    if "email" in changes:
        work.deliveries.release_awaiting(firm.id, now=now)


def announce_measure(work: Work, trigger: str, event: MeasureChanged, *, now: datetime) -> None:
    """Keep the end dates of held measures right for reminders; tell every caseworker of a new
    or changed version, and the firms holding an older version of it."""
    measure = measure_reference(event)
    # Firms decided under an older version hear of the new one; those decided under it
    # already (its determinations may arrive first) and the catalogue's seed do not.
    holders = (
        work.notices.holders_of(measure.id, before_version=measure.version)
        if event.lifecycle == "published"
        else []
    )
    work.notices.follow_measure(measure=measure, now=now)
    if event.lifecycle == "retired":
        return  # the re-match that follows tells each firm whose status changes
    changed = event.lifecycle == "changed" or measure.version > 1
    message = measure_published(
        measure, changed=changed, valid_from=event.valid_from, changes=event.changes
    )
    with writing(work) as writes:
        for caseworker in work.recipients.all_caseworkers():
            notify(
                writes,
                caseworker,
                message,
                trigger=trigger,
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
                about = About(uscc=uscc, province_code=firm.province_code, measure=measure)
                notify(writes, firm, message, trigger=trigger, now=now, about=about)
            writes.flush()


def measure_reference(event: MeasureChanged) -> MeasureReference:
    """The measure as determination events name it, from a policy.measure.v1 event."""
    how_en = event.text("how_to_apply_en") or event.text("how_to_apply") or ""
    kinds: dict[object, Kind] = {"benefit": "benefit", "obligation": "obligation"}
    kinds["opportunity"] = "opportunity"
    return MeasureReference(
        id=event.measure_id,
        version=event.version,
        title_zh=event.text("title_zh") or "",
        title_en=event.text("title_en") or "",
        clause=event.text("clause") or "",
        valid_to=event.valid_to,
        kind=kinds.get(event.document.get("kind")),
        how_to_apply=how_en,
        how_to_apply_zh=event.text("how_to_apply_zh") or "",
        how_to_apply_en=how_en,
    )


def tell_case(work: Work, trigger: str, case: CaseChanged, *, now: datetime) -> None:
    """Keep the case for its due date's reminders; tell the firm of the decision on its
    application and of the money paid."""
    work.cases.follow(case)
    message = case_news(case)
    if message is None:
        return
    firm = work.recipients.enterprises({case.uscc: case.province_code}, now=now)[case.uscc]
    about = About(
        uscc=case.uscc,
        province_code=case.province_code,
        status=case.state,
        measure_named=case.measure_id,
    )
    with writing(work) as writes:
        notify(writes, firm, message, trigger=trigger, now=now, about=about)
