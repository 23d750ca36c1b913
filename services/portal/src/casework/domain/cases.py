"""A case: one firm's way to one measure's money, from identified to disbursed, and the rules of
each step. Plain Python; the audit trail of every change is kept by the use cases."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from supportmatch_core.contracts.case import OPEN as OPEN_STATES


class Labelled(StrEnum):
    """A value people read by its Chinese and English names (in `LABELS`)."""

    @property
    def zh(self) -> str:
        return LABELS[self][0]

    @property
    def en(self) -> str:
        return LABELS[self][1]


LABELS: dict[Labelled, tuple[str, str]] = {}


class CaseState(Labelled):
    IDENTIFIED = "identified"
    CONTACTED = "contacted"
    APPLYING = "applying"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"


LABELS |= {
    CaseState.IDENTIFIED: ("已识别", "identified"),
    CaseState.CONTACTED: ("已联系", "contacted"),
    CaseState.APPLYING: ("申报中", "applying"),
    CaseState.APPROVED: ("已批准", "approved"),
    CaseState.REJECTED: ("未获批准", "rejected"),
    CaseState.DISBURSED: ("已兑付", "disbursed"),
}

# Forward only; a firm may apply without being contacted, and apply again after a refusal.
NEXT: dict[CaseState, tuple[CaseState, ...]] = {
    CaseState.IDENTIFIED: (CaseState.CONTACTED, CaseState.APPLYING),
    CaseState.CONTACTED: (CaseState.APPLYING,),
    CaseState.APPLYING: (CaseState.APPROVED, CaseState.REJECTED),
    CaseState.APPROVED: (CaseState.DISBURSED,),
    CaseState.REJECTED: (CaseState.APPLYING,),
    CaseState.DISBURSED: (),
}
OPEN = frozenset(CaseState(state) for state in OPEN_STATES)
MAX_AMOUNT_FEN = 10**14  # 1万亿元: more than any one measure pays one firm


class CaseRefused(ValueError):
    """A change the case's rules do not allow, said in Chinese with English beside it."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} ({en})")
        self.zh, self.en = zh, en


class CaseOutdated(CaseRefused):
    """The case changed since the person's page was loaded."""

    def __init__(self) -> None:
        super().__init__(
            "该个案已被他人更新，请刷新页面后再操作",
            "someone changed this case meanwhile; reload the page and try again",
        )


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    uscc: str
    firm_name: str
    province_code: str
    measure_id: str
    measure_title_zh: str
    measure_title_en: str
    state: CaseState
    assignee: str | None
    due_on: date | None
    disbursed_fen: int | None
    disbursed_on: date | None
    opened_at: datetime
    opened_by: str
    updated_at: datetime
    version: int

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    def overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


def moved(case: Case, to: CaseState, *, reason: str, amount: str, on: date | None) -> Case:
    """The case at state `to`, or `CaseRefused` saying why it cannot go there."""
    if to not in NEXT[case.state]:
        allowed = "、".join(s.zh for s in NEXT[case.state]) or "无"
        raise CaseRefused(
            f"个案处于“{case.state.zh}”，只能转为：{allowed}",
            f"a case that is {case.state.en} cannot become {to.en}",
        )
    if to is CaseState.REJECTED and not reason.strip():
        raise CaseRefused("未获批准须写明原因", "a rejection needs its reason")
    if to is not CaseState.DISBURSED:
        return replace(case, state=to)
    if on is None:
        raise CaseRefused("兑付须填写兑付日期", "a disbursement needs its date")
    if on < case.opened_at.date():
        raise CaseRefused("兑付日期不能早于立案日期", "the disbursement date precedes the case")
    return replace(case, state=to, disbursed_fen=fen_of(amount), disbursed_on=on)


def fen_of(amount: str) -> int:
    """An amount in yuan as written by a person ("12,345.6", "12345.67元") in fen."""
    text = amount.strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if value.is_finite() and value * 100 >= MAX_AMOUNT_FEN:
        raise CaseRefused("兑付金额超出上限", "the amount is beyond any measure's payment")
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise CaseRefused(
            "兑付金额须为大于零的元数，最多两位小数，如 125000.50",
            "the amount must be a positive number of yuan with at most two decimals",
        )
    fen = int(value * 100)
    return fen


def yuan(fen: int) -> str:
    """Fen as yuan for people: 12500050 → "125,000.50"."""
    return f"{Decimal(fen) / 100:,.2f}"
