"""What a recipient is told, in Chinese and English: eligibility changes, measures ending soon,
measures published, a webhook disabled, and the one-line forms that go into a daily digest.
Longer than 300 lines: each message is its wording in two languages, kept beside the others."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from supportmatch_core.contracts.case import CaseChanged
from supportmatch_core.contracts.determination import EligibilityChanged, MeasureReference
from supportmatch_core.contracts.measure import Change
from supportmatch_core.contracts.values import JsonObject
from supportmatch_reference.clauses import clause_en
from supportmatch_reference.explanations import sentence, tree_lines

NOTICE_ZH = "《关于巩固回升向好趋势加力振作工业经济的通知》"


class Topic(StrEnum):
    NEWLY_ELIGIBLE = "newly_eligible"
    POSSIBLY_ELIGIBLE = "possibly_eligible"
    NO_LONGER_ELIGIBLE = "no_longer_eligible"
    ENDING_SOON = "ending_soon"
    MEASURE_PUBLISHED = "measure_published"
    WEBHOOK_DISABLED = "webhook_disabled"
    CASE_CHANGED = "case_changed"
    CASE_DUE = "case_due"
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class InboxMessage:
    """One notice: its inbox entry, email and webhook body are all made from it."""

    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    facts_to_provide: list[dict[str, str]]
    topic: Topic = Topic.NEWLY_ELIGIBLE
    # The criteria as indented lines, each marked met / not met / to provide (all/any kept).
    reasons_zh: tuple[str, ...] = ()
    reasons_en: tuple[str, ...] = ()
    next_step_zh: str = ""
    next_step_en: str = ""
    lines_zh: tuple[str, ...] = ()  # a digest's items
    lines_en: tuple[str, ...] = ()

    def title(self, language: str) -> str:
        return self.title_zh if language == "zh" else self.title_en

    def body(self, language: str) -> str:
        return self.body_zh if language == "zh" else self.body_en

    def reasons(self, language: str) -> tuple[str, ...]:
        return self.reasons_zh if language == "zh" else self.reasons_en

    def next_step(self, language: str) -> str:
        return self.next_step_zh if language == "zh" else self.next_step_en

    def lines(self, language: str) -> tuple[str, ...]:
        return self.lines_zh if language == "zh" else self.lines_en


_HEADLINE = {
    "eligible": ("符合条件", "You qualify", Topic.NEWLY_ELIGIBLE),
    "possibly_eligible": ("可能符合条件", "You may qualify", Topic.POSSIBLY_ELIGIBLE),
    "ineligible": ("不再符合条件", "You no longer qualify", Topic.NO_LONGER_ELIGIBLE),
}


def worth_telling(change: EligibilityChanged) -> bool:
    """Whether a change is news to the firm: qualifying, possibly qualifying, or no longer.

    A first decision of "ineligible" is not: nobody wants a message for every measure missed.
    """
    return not (change.status == "ineligible" and change.previous_status is None)


def _clause(measure: MeasureReference) -> tuple[str, str]:
    clause = measure.clause
    return (
        f"依据{NOTICE_ZH}{clause}。",
        f"Under clause {clause_en(clause)} of the 2022 notice on consolidating the industrial "
        "recovery.",
    )


def message_for(change: EligibilityChanged) -> InboxMessage:
    """The notice for one eligibility.determination.v1 event."""
    measure, status = change.measure, change.status
    if status == "ineligible" and change.previous_status is None:
        head_zh, head_en, topic = "不符合条件", "You do not qualify", Topic.NO_LONGER_ELIGIBLE
    else:
        head_zh, head_en, topic = _HEADLINE[status]
    missing = change.missing_facts
    failed = [c for c in change.criteria if c.get("decisive")]
    body_zh, body_en = _clause(measure)
    if missing:
        body_zh += "请补充以下信息以完成判断：" + "、".join(m.label_zh for m in missing) + "。"
        body_en += (
            " Provide these facts to complete the check: "
            + "; ".join(m.label_en for m in missing)
            + "."
        )
    if status == "ineligible" and failed:
        body_zh += "未满足的条件：" + "；".join(_said(c, "zh") for c in failed) + "。"
        body_en += " Not met: " + "; ".join(_said(c, "en") for c in failed) + "."
    estimate = change.estimate
    if estimate and status != "ineligible":
        body_zh += f"政策测算：{estimate.text_zh}（{estimate.formula_zh}）。{estimate.note_zh}"
        body_en += f" Estimate: {estimate.text_en} ({estimate.formula_en}). {estimate.note_en}"
    assumed = change.assumptions
    if change.basis == "assumed" and assumed:
        body_zh += "说明：本措施的部分依据为推定——" + "".join(a.zh for a in assumed)
        body_en += " Note: part of this measure's basis is assumed. " + " ".join(
            a.en for a in assumed
        )
    next_zh, next_en = _next_step(status, measure, bool(missing))
    return InboxMessage(
        title_zh=f"{head_zh}：{measure.title_zh}",
        title_en=f"{head_en}: {measure.title_en}",
        body_zh=body_zh,
        body_en=body_en,
        facts_to_provide=[
            {"fact": m.fact, "label_zh": m.label_zh, "label_en": m.label_en} for m in missing
        ],
        topic=topic,
        reasons_zh=_reasons(change, "zh"),
        reasons_en=_reasons(change, "en"),
        next_step_zh=next_zh,
        next_step_en=next_en,
    )


def _said(criterion: JsonObject, language: str) -> str:
    return sentence(criterion, language)


def _reasons(change: EligibilityChanged, language: str) -> tuple[str, ...]:
    """Every criterion as a line, indented under its all/any/not heading and marked with its
    outcome; events from before the Chinese sentences give no Chinese lines (never English)."""
    criteria = change.criteria
    if language == "zh" and not all("text_zh" in c for c in criteria):
        return ()
    tree = change.tree
    if tree:
        return tuple(tree_lines(tree, language, criteria))
    return tuple(line for c in criteria for line in tree_lines(c, language))


def _next_step(status: str, measure: MeasureReference, missing: bool) -> tuple[str, str]:
    how_zh = measure.how_to_apply_zh or ""
    how_en = measure.how_to_apply_en or measure.how_to_apply or ""
    if status == "eligible":
        return (
            "申请方式：" + (how_zh or "请向主管部门咨询。"),
            "How to apply: " + (how_en or "ask the competent department."),
        )
    if status == "possibly_eligible" and missing:
        return ("请在企业档案中补充上述信息。", "Add these facts to your enterprise profile.")
    return ("如情况有变，请更新企业档案。", "If your situation changes, update your profile.")


def ending_soon(measure: MeasureReference, valid_to: date, days_left: int) -> InboxMessage:
    """A reminder that a measure the firm qualifies for ends on `valid_to`."""
    clause_zh, clause_en = _clause(measure)
    when = valid_to.isoformat()
    return InboxMessage(
        title_zh=f"即将截止（{days_left}天）：{measure.title_zh}",
        title_en=f"Ends in {days_left} day{'s' if days_left != 1 else ''}: {measure.title_en}",
        body_zh=f"{clause_zh}该措施于{when}截止，您的企业符合条件。",
        body_en=f"{clause_en} The measure ends on {when} and your enterprise qualifies.",
        facts_to_provide=[],
        topic=Topic.ENDING_SOON,
        next_step_zh="如已申请或不打算申请，请标记，之后不再提醒。",
        next_step_en="Mark it as applied for or declined to stop these reminders.",
    )


def measure_published(
    measure: MeasureReference, *, changed: bool, valid_from: str, changes: tuple[Change, ...]
) -> InboxMessage:
    """A new or changed measure version, for caseworkers and firms that hold the measure: from
    which day it applies and what it changes from the version before."""
    clause_zh, clause_en = _clause(measure)
    head_zh, head_en = ("措施已更新", "Measure changed") if changed else ("新措施", "New measure")
    version = measure.version
    changed_zh = f"主要变化：{'；'.join(c.zh for c in changes)}。" if changes else ""
    changed_en = f" What changes: {'; '.join(c.en for c in changes)}." if changes else ""
    return InboxMessage(
        title_zh=f"{head_zh}：{measure.title_zh}",
        title_en=f"{head_en}: {measure.title_en}",
        body_zh=f"{clause_zh}第{version}版自{valid_from}起施行，资格将按新版本重新判断。{changed_zh}",
        body_en=f"{clause_en} Version {version} applies from {valid_from}; eligibility is decided "
        f"again.{changed_en}",
        facts_to_provide=[],
        topic=Topic.MEASURE_PUBLISHED,
    )


def webhook_disabled(url: str, failures: int) -> InboxMessage:
    return InboxMessage(
        title_zh="Webhook 已停用",
        title_en="Webhook disabled",
        body_zh=f"{url} 连续{failures}次投递失败，已停用。修复后请重新创建订阅。",
        body_en=(
            f"{url} failed {failures} deliveries in a row and was disabled. "
            "Create the subscription again once it is fixed."
        ),
        facts_to_provide=[],
        topic=Topic.WEBHOOK_DISABLED,
    )


def case_news(case: CaseChanged) -> InboxMessage | None:
    """What the firm hears of its case: a measure granted without applying, the decision on its
    application, the money paid; None for the service centre's own steps (contacting it,
    recording its application)."""
    zh, en = case.measure_title_zh, case.measure_title_en or case.measure_title_zh
    if case.action == "granted":
        texts = (
            f"已为您自动享受{zh}",
            f"{en} is granted to you without applying",
            "依据您已提供的信息，您符合该项政策的条件，经主管部门确认，无需申请即可享受。",
            "The information you gave shows that you qualify; the department in charge "
            "confirmed it, so you get it without applying.",
        )
    elif case.action != "moved" or case.state not in ("approved", "rejected", "disbursed"):
        return None
    elif case.state == "approved":
        texts = (
            f"您申请的{zh}已获批准",
            f"Your application for {en} was approved",
            "服务中心已将您的申请登记为已批准，款项兑付后将再通知您。",
            "The service centre recorded your application as approved; you will hear again "
            "when the money is paid.",
        )
    elif case.state == "rejected":
        texts = (
            f"您申请的{zh}未获批准",
            f"Your application for {en} was not approved",
            f"原因：{case.reason}。如有疑问，请联系所在地企业服务中心。",
            f"Reason: {case.reason}. Your local enterprise service centre can tell you more.",
        )
    else:
        amount = f"{(case.disbursed_fen or 0) / 100:,.2f}"
        texts = (
            f"{zh}已兑付{amount}元",
            f"{en}: {amount} yuan paid",
            f"兑付日期：{case.disbursed_on}。请留意账户入账情况。",
            f"Paid on {case.disbursed_on}. Please check that it reached your account.",
        )
    title_zh, title_en, body_zh, body_en = texts
    return InboxMessage(
        title_zh=title_zh,
        title_en=title_en,
        body_zh=body_zh,
        body_en=body_en,
        facts_to_provide=[],
        topic=Topic.CASE_CHANGED,
    )


def case_due(
    *, firm: str, measure_zh: str, measure_en: str, due_on: date, days_left: int
) -> InboxMessage:
    """A caseworker's reminder of a case assigned to it: due soon, or overdue."""
    if days_left < 0:
        title = (f"个案已逾期：{firm}（{measure_zh}）", f"Overdue case: {firm} ({measure_en})")
        when = (
            f"办理期限为{due_on}，已逾期{-days_left}天。",
            f"It was due on {due_on}, {-days_left} day(s) ago.",
        )
    else:
        title = (f"个案即将到期：{firm}（{measure_zh}）", f"Case due soon: {firm} ({measure_en})")
        left = "今天" if days_left == 0 else f"{days_left}天后"
        when = (
            f"办理期限为{due_on}（{left}到期）。",
            f"It is due on {due_on}, in {days_left} day(s).",
        )
    return InboxMessage(
        title_zh=title[0],
        title_en=title[1],
        body_zh=when[0] + "请在个案办理中更新进度或调整期限。",
        body_en=when[1] + " Update the case, or its due date, under Cases.",
        facts_to_provide=[],
        topic=Topic.CASE_DUE,
    )


def digest_line(notice: InboxMessage) -> tuple[str, str]:
    """The notice as one line of a firm's digest (a caseworker's: `caseworker_line`)."""
    return notice.title_zh, notice.title_en


_STATUS = {
    "eligible": ("符合", "eligible"),
    "possibly_eligible": ("可能符合", "possibly eligible"),
    "ineligible": ("不符合", "not eligible"),
}


def caseworker_line(change: EligibilityChanged, *, enterprise: str | None) -> tuple[str, str]:
    """One change as a caseworker's digest reads it: which firm (name and USCC), which measure,
    from which status to which, and what the firm still has to give or did not meet."""
    firm_zh = f"{enterprise}（{change.uscc}）" if enterprise else change.uscc
    firm_en = f"{enterprise} ({change.uscc})" if enterprise else change.uscc
    now_zh, now_en = _STATUS[change.status]
    if change.previous_status is None:
        moved_zh, moved_en = f"判断为{now_zh}", f"decided {now_en}"
    else:
        was_zh, was_en = _STATUS[change.previous_status]
        moved_zh, moved_en = f"由{was_zh}变为{now_zh}", f"from {was_en} to {now_en}"
    line_zh = f"{firm_zh}：{change.measure.title_zh}，{moved_zh}"
    line_en = f"{firm_en}: {change.measure.title_en}, {moved_en}"
    if change.missing_facts:
        line_zh += "；待补充：" + "、".join(m.label_zh for m in change.missing_facts)
        line_en += "; still to give: " + ", ".join(m.label_en for m in change.missing_facts)
    failed = [c for c in change.criteria if c.get("decisive")]
    if change.status == "ineligible" and failed:
        line_zh += "；未满足：" + "；".join(_said(c, "zh") for c in failed)
        line_en += "; not met: " + "; ".join(_said(c, "en") for c in failed)
    return line_zh + "。", line_en + "."


def digest(
    day: date, lines_zh: list[str], lines_en: list[str], *, caseworker: bool = False
) -> InboxMessage:
    """The daily digest: one line per change since the last one; a caseworker's speaks of the
    firms of its provinces (贵辖区), a firm's of the firm."""
    count = len(lines_zh)
    changes_en = f"{count} change{'s' if count != 1 else ''}"
    title_zh = f"贵辖区企业政策匹配变化摘要 {day.isoformat()}（{count}条）"
    title_en = f"Changes for the firms of your provinces, {day.isoformat()} ({changes_en})"
    if not caseworker:
        title_zh = f"变化摘要 {day.isoformat()}（{count}条）"
        title_en = f"Digest of {day.isoformat()} ({changes_en})"
    return InboxMessage(
        title_zh=title_zh,
        title_en=title_en,
        body_zh="\n".join(lines_zh),
        body_en="\n".join(lines_en),
        facts_to_provide=[],
        topic=Topic.DIGEST,
        lines_zh=tuple(lines_zh),
        lines_en=tuple(lines_en),
    )
