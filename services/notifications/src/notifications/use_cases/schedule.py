"""Scheduled notices: reminders before a measure a firm qualifies for ends, reminders of the cases
due that caseworkers were assigned, daily digests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from notifications.domain.messages import case_due, digest, ending_soon
from notifications.domain.preferences import DEFAULT_TIME_ZONE, Channel
from notifications.domain.recipients import Recipient, RecipientKind
from notifications.use_cases.notify import About, Writes, notify, writing
from notifications.use_cases.ports import Row, Work
from supportmatch_core.contracts.determination import MeasureReference
from supportmatch_core.contracts.values import from_json

REMINDER_DAYS = (1, 7, 30)
CHINA = ZoneInfo(DEFAULT_TIME_ZONE)


def local_day(now: datetime) -> date:
    """The calendar day in China, by which measures start and end."""
    return now.astimezone(CHINA).date()


def send_reminders(work: Work, *, now: datetime) -> int:
    """Remind firms of eligible measures ending within 30, 7 and 1 days; returns how many.

    Each (firm, measure, end date, threshold) is told once, however often this runs; a firm
    that marked the measure as applied for or declined is not reminded.
    """
    today = local_day(now)
    sent = 0
    ending = work.notices.ending_between(today, today + timedelta(days=REMINDER_DAYS[-1]))
    firms = work.recipients.enterprises({h.uscc: None for h in ending}, now=now)
    with writing(work) as writes:
        writes.prefetch_subscriptions([firm.id for firm in firms.values()])
        for holding in ending:
            remind(writes, holding, firms[holding.uscc], today=today, now=now)
            sent += 1
    return sent


def remind_of_cases(work: Work, *, now: datetime) -> int:
    """Remind each case's assignee once as it comes due (the day before) and once when it is
    overdue, per due date, however often this runs; returns how many."""
    today = local_day(now)
    sent = 0
    with writing(work) as writes:
        for case in work.cases.due_by(today + timedelta(days=1)):
            # The portal registers each caseworker account as the recipient `portal:<name>`.
            assignee = work.recipients.recipient(
                RecipientKind.CASEWORKER, f"portal:{case.assignee}"
            )
            if assignee is None:
                continue
            days_left = (case.due_on - today).days
            firm = work.recipients.recipient(RecipientKind.ENTERPRISE, case.uscc)
            message = case_due(
                firm=(firm.name if firm and firm.name else case.uscc),
                measure_zh=case.measure_title_zh,
                measure_en=case.measure_title_en or case.measure_title_zh,
                due_on=case.due_on,
                days_left=days_left,
            )
            when = "overdue" if days_left < 0 else "due"
            notify(
                writes,
                assignee,
                message,
                trigger=f"case-{when}:{case.case_id}:{case.due_on.isoformat()}",
                now=now,
                about=About(
                    uscc=case.uscc,
                    province_code=case.province_code,
                    status=case.state,
                    measure_named=case.measure_id,
                ),
            )
            sent += 1
    return sent


def remind(writes: Writes, holding: Row, firm: Recipient, *, today: date, now: datetime) -> None:
    """Tell `firm` that a measure it qualifies for ends soon, once per threshold."""
    days_left = (holding.valid_to - today).days
    threshold = min(d for d in REMINDER_DAYS if days_left <= d)
    measure = from_json(MeasureReference, holding.measure)
    notify(
        writes,
        firm,
        ending_soon(measure, holding.valid_to, max(days_left, 1)),
        trigger=f"ending:{holding.measure_id}:{holding.valid_to.isoformat()}:{threshold}d",
        now=now,
        about=About(
            uscc=holding.uscc,
            province_code=firm.province_code,
            measure=measure,
            status=holding.status,
        ),
    )


def send_digests(work: Work, *, now: datetime, hour: int) -> int:
    """Send each recipient's digest once its local day has reached `hour`; returns how many."""
    sent = 0
    for recipient_id in work.notices.recipients_with_pending_digest():
        recipient = work.recipients.recipient_by_id(recipient_id)
        local = recipient.preferences.local(now)
        if local.hour < hour:
            continue
        key = f"digest:{local.date().isoformat()}"
        if work.notices.digest_sent(recipient_id, key):
            continue  # one digest a day: what came after it waits for tomorrow's
        items = work.notices.take_digest_items(recipient_id, key, now)
        if not items:
            continue
        message = digest(
            local.date(),
            [i.line_zh for i in items],
            [i.line_en for i in items],
            caseworker=recipient.is_caseworker,
        )
        # A firm's inbox already holds each notice; a caseworker's digest is its inbox entry.
        channels = frozenset(Channel) if recipient.is_caseworker else frozenset({Channel.EMAIL})
        with writing(work) as writes:
            notify(writes, recipient, message, trigger=key, now=now, channels=channels)
        sent += 1
    return sent
