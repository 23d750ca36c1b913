"""What an enterprise is told when its eligibility for a measure changes, in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class InboxMessage:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    facts_to_provide: list[dict[str, str]]


_HEADLINE = {
    "eligible": ("符合条件", "You qualify"),
    "possibly_eligible": ("可能符合条件", "You may qualify"),
    "ineligible": ("不再符合条件", "You no longer qualify"),
}


def worth_telling(determination: dict[str, Any]) -> bool:
    """Whether a change is news to the firm: qualifying, possibly qualifying, or no longer.

    A first decision of "ineligible" is not: nobody wants a message for every measure missed.
    """
    return not (
        determination["status"] == "ineligible" and determination.get("previous_status") is None
    )


def message_for(determination: dict[str, Any]) -> InboxMessage:
    """The inbox message for one eligibility.determination.v1 event's data."""
    measure = determination["measure"]
    status = determination["status"]
    if status == "ineligible" and determination.get("previous_status") is None:
        head_zh, head_en = "不符合条件", "You do not qualify"
    else:
        head_zh, head_en = _HEADLINE[status]
    missing = determination.get("missing_facts", [])
    failed = [c["text"] for c in determination.get("criteria", []) if c.get("decisive")]
    clause = measure["clause"]
    body_zh = f"依据《关于巩固回升向好趋势加力振作工业经济的通知》{clause}。"
    body_en = f"Under clause {clause} of the 2022 notice on consolidating the industrial recovery."
    if missing:
        body_zh += "请补充以下信息以完成判断：" + "、".join(m["label_zh"] for m in missing) + "。"
        body_en += (
            " Provide these facts to complete the check: "
            + "; ".join(m["label_en"] for m in missing)
            + "."
        )
    if status == "ineligible" and failed:
        body_en += " Not met: " + "; ".join(failed) + "."
        body_zh += "未满足的条件见详情。"
    return InboxMessage(
        title_zh=f"{head_zh}：{measure['title_zh']}",
        title_en=f"{head_en}: {measure['title_en']}",
        body_zh=body_zh,
        body_en=body_en,
        facts_to_provide=missing,
    )
