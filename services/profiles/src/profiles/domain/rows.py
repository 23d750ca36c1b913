"""The bulk-import file format: its columns, and cells (text) turned into an enterprise body."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from profiles.domain.model import FLAGS, YEAR_FACTS

REQUIRED = ("uscc", "name", "province", "industry", "ownership")
ATTRIBUTES = (
    "name_en",
    "registration_date",
    "legal_form",
    "foreign_kind",
    "listed",
    "city",
    "main_products",
    "contact_email",
    "vat_taxpayer_type",
    "vat_credit_balances",
    "vat_sales_by_industry",
)
# Every column of the format, in the order `supportmatch demo-data` writes them.
COLUMNS: tuple[str, ...] = (*REQUIRED, *ATTRIBUTES, *FLAGS, "fiscal_year", *YEAR_FACTS)

_NUMBERS = frozenset(
    {
        "niche_market_share",
        "niche_product_share",
        "specialised_sme_score",
        "layoff_rate",
        "encouraged_industry_revenue_share",
    }
)
_YEAR_BOOLEANS = frozenset(
    {"vat_refund_fraud_36m", "immediate_refund_since_2019", "serious_violation_3y"}
)
_INTEGERS = frozenset(YEAR_FACTS) - {"tax_credit_grade"} - _NUMBERS - _YEAR_BOOLEANS
_BOOLEANS = frozenset({"listed", *FLAGS, *_YEAR_BOOLEANS})
_TRUE = frozenset({"true", "t", "yes", "y", "1", "是", "有", "√"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否", "无", "×"})
_INTEGER = re.compile(r"^[+-]?\d+(\.0*)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_SLASHED_DATE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
# Products are separated by ';' (a full-width '；' from Chinese input methods counts too).
_PRODUCTS = re.compile(r"[;；]")
_PAIR = re.compile(r"^\s*([^:：=\s]+)\s*[:：=]\s*(.+?)\s*$")


class BadHeader(ValueError):
    """A header row the file cannot be read with (a required column missing, a name twice)."""


@dataclass(frozen=True, slots=True)
class Header:
    """The columns of one file: where each known column is, and the unknown ones."""

    positions: dict[str, int]
    unknown: tuple[str, ...]
    # (column, position, group, converter or None) of each known column, worked out once a file
    plan: tuple[tuple[str, int, int, Callable[[str], object] | None], ...]


def read_header(cells: Sequence[str]) -> Header:
    """Match header cells (any case, surrounding spaces ignored) to the format's columns."""
    names = [cell.strip().lower() for cell in cells]
    seen = [name for name in names if name]
    twice = sorted({name for name in seen if seen.count(name) > 1})
    if twice:
        raise BadHeader(f"columns named more than once: {', '.join(twice)}")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise BadHeader(
            f"the header row lacks the required columns {', '.join(missing)}; "
            f"the format has the columns {', '.join(COLUMNS)}"
        )
    known = set(COLUMNS)
    positions = {name: i for i, name in enumerate(names) if name in known}
    return Header(
        positions=positions,
        unknown=tuple(name for name in seen if name not in known),
        plan=tuple((n, i, _GROUP[n], _CONVERTERS.get(n)) for n, i in positions.items()),
    )


def body_of(header: Header, cells: Sequence[str]) -> dict[str, object]:
    """The EnterpriseCreate body a row states; empty cells are left out (unknown).

    Cells that do not read as their column's type stay text, so that the same validation as the
    API's refuses them and names the field.
    """
    body: dict[str, object] = {}
    flags: dict[str, object] = {}
    facts: dict[str, object] = {}
    year: dict[str, object] = {}
    groups = (body, flags, facts, year)
    width = len(cells)
    for name, position, group, convert in header.plan:
        if position < width and (text := cells[position].strip()):
            groups[group][name] = convert(text) if convert else text
    if flags:
        body["flags"] = flags
    if facts:  # a fiscal year without any fact of it says nothing
        body["facts"] = {**facts, **year}
    return body


def column_of(location: Sequence[int | str]) -> str:
    """The file column a validation error's location points to (facts.employees -> employees)."""
    names = [part for part in location if isinstance(part, str)]
    columns = [name for name in names if name in _GROUP]  # not a table's keys (2026-13, [key])
    return columns[-1] if columns else (names[-1] if names else "")


def _integer(text: str) -> int | str:
    if text.isascii() and text.isdigit():
        return int(text)
    plain = text.replace(",", "").replace("_", "").replace(" ", "")
    return int(plain.partition(".")[0]) if _INTEGER.match(plain) else text


def _number(text: str) -> float | str:
    plain = text.removesuffix("%").strip()
    return float(plain) if _NUMBER.match(plain) else text


def _boolean(text: str) -> bool | str:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    return False if lowered in _FALSE else text


def _products(text: str) -> list[str]:
    return [p.strip() for p in _PRODUCTS.split(text) if p.strip()]


def _table(text: str) -> dict[str, int | str] | str:
    """Pairs "key:amount" separated by ';' (2025-09:1200000;2025-10:1350000), amounts as whole
    numbers; text that does not read so stays text, for the validation to refuse and name."""
    table: dict[str, int | str] = {}
    for item in _PRODUCTS.split(text):
        if not item.strip():
            continue
        pair = _PAIR.match(item)
        if pair is None:
            return text
        table[pair[1]] = _integer(pair[2])
    return table


def _date(text: str) -> str:
    slashed = _SLASHED_DATE.match(text)
    if slashed:
        year, month, day = slashed.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text[:10] if len(text) > 10 and text[10] in " T" else text


_GROUP = {  # where body_of puts a column: 0 the body, 1 flags, 2 facts, 3 the fiscal year
    **dict.fromkeys((*REQUIRED, *ATTRIBUTES), 0),
    **dict.fromkeys(FLAGS, 1),
    **dict.fromkeys(YEAR_FACTS, 2),
    "fiscal_year": 3,
}
_CONVERTERS: dict[str, Callable[[str], object]] = {
    **dict.fromkeys((*_INTEGERS, "fiscal_year"), _integer),
    **dict.fromkeys(_BOOLEANS, _boolean),
    **dict.fromkeys(_NUMBERS, _number),
    "vat_credit_balances": _table,
    "vat_sales_by_industry": _table,
    "main_products": _products,
    "registration_date": _date,
    "tax_credit_grade": str.upper,
}
