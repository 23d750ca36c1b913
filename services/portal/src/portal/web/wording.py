"""Values, criteria and sources in sentences of the reader's language (never English in Chinese)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from portal.domain.facts import FIELDS, WAN
from portal.web.messages import translate
from supportmatch_reference.industries import catalogue
from supportmatch_reference.regions import BY_CODE

_OPS = {
    "eq": ("为", "is"), "ne": ("不为", "is not"), "lt": ("低于", "below"), "le": ("不高于", "at most"),
    "gt": ("高于", "above"), "ge": ("不低于", "at least"), "in": ("为", "is one of"),
    "not_in": ("不为", "is none of"), "between": ("介于", "between"),
}  # fmt: skip
_REGIONS = {
    "east": ("东部", "east"), "central": ("中部", "central"), "west": ("西部", "west"),
    "northeast": ("东北", "northeast"),
}  # fmt: skip
_LEVELS = {
    "national": ("国家级", "national"), "provincial": ("省级", "provincial"),
    "municipal": ("市级", "municipal"), "district": ("区县级", "district"),
}  # fmt: skip
_PERCENT = re.compile(r"(_ratio|_share|_growth|^revenue_growth)$")
_LATIN = re.compile(r"[A-Za-z]{3,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")
CHINA = ZoneInfo("Asia/Shanghai")


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def value(fact: str, raw: Any, language: str) -> str:  # noqa: PLR0911, PLR0912 - one case per kind of value
    """One value of `fact` as a person writes it: 2,000万元, 广东, 制造业, 是."""
    if raw is None:
        return translate("unknown", language)
    if isinstance(raw, list):
        joiner = ", " if language == "en" else "、"
        return joiner.join(value(fact, item, language) for item in raw)
    if isinstance(raw, bool):
        return translate("yes" if raw else "no", language)
    field = FIELDS.get(fact)
    if field and field.kind in ("money", "signed_money") and isinstance(raw, int | float):
        if language == "en":
            return f"{raw:,.0f} yuan"
        return f"{raw / WAN:,.2f}".rstrip("0").rstrip(".") + "万元"
    if _PERCENT.search(fact) and isinstance(raw, int | float):
        return f"{raw:g}%"
    if fact.startswith("industry_") and isinstance(raw, str) and raw in catalogue():
        industry = catalogue()[raw]
        name = industry.name_en if language == "en" and industry.name_en else industry.name_zh
        return f"{raw} {name}"
    if fact == "province_code" and raw in BY_CODE:
        province = BY_CODE[raw]
        return province.name_en if language == "en" else province.name_zh
    if fact == "region" and raw in _REGIONS:
        return _pick(_REGIONS[raw], language)
    if fact == "ownership":
        return translate(f"ownership.{raw}", language)
    if fact == "size_class" and raw in ("large", "medium", "small", "micro"):
        return translate(f"size.{raw}", language)
    if isinstance(raw, float):
        return f"{raw:,.4g}"
    if isinstance(raw, int):
        return f"{raw:,}"
    return str(raw)


def label(criterion: dict[str, Any], language: str) -> str:
    return str(criterion.get("label_en" if language == "en" else "label_zh") or criterion["fact"])


def condition(criterion: dict[str, Any], language: str) -> str:
    """What one criterion requires: 营业收入不低于2,000万元 / revenue at least 20,000,000 yuan."""
    name = label(criterion, language)
    if criterion.get("operator") == "certified":
        level = criterion.get("required")
        if language == "en":
            suffix = (
                f" at {_pick(_LEVELS[level], 'en')} level or higher" if level in _LEVELS else ""
            )
            return f"holds a valid {name} title{suffix}"
        prefix = f"{_pick(_LEVELS[level], 'zh')}及以上" if level in _LEVELS else ""
        return f"持有有效的{prefix}{name}认定"
    op = _OPS.get(str(criterion.get("operator")), ("为", "is"))
    required = criterion.get("required")
    if criterion.get("operator") == "between" and isinstance(required, list) and len(required) == 2:
        low, high = (value(criterion["fact"], v, language) for v in required)
        return (
            f"{name} between {low} and {high}"
            if language == "en"
            else f"{name}介于{low}至{high}之间"
        )
    shown = value(criterion["fact"], required, language)
    return f"{name} {_pick(op, language)} {shown}" if language == "en" else f"{name}{op[0]}{shown}"


def reason(criterion: dict[str, Any], language: str) -> str:
    """One criterion with the firm's value and whether it is met, as a sentence."""
    wanted = condition(criterion, language)
    outcome = criterion.get("outcome")
    if outcome == "unknown":
        return f"{wanted}: not known yet." if language == "en" else f"{wanted}：尚缺此项信息。"
    verdict = translate(f"criterion.{'pass' if outcome == 'pass' else 'fail'}", language)
    if criterion.get("operator") == "certified":
        held = ("held", "已持有") if criterion.get("actual") else ("not held", "未持有")
        actual = _pick((held[1], held[0]), language)
    else:
        actual = value(criterion["fact"], criterion.get("actual"), language)
    if language == "en":
        return f"{wanted}: yours is {actual}, {verdict}."
    return f"{wanted}：贵企业为{actual}，{verdict}。"


def source_title(title: str, language: str) -> str | None:
    """A source's title; in Chinese without an English note, and none when it is all English."""
    if language == "en":
        return title
    if not _CJK.search(title):
        return None
    cut = re.search(r"\s*[(（][^()（）]*[A-Za-z]{3,}[^()（）]*[)）]\s*$", title)
    kept = title[: cut.start()] if cut else title
    return None if _LATIN.search(kept) else kept


def citation(source: dict[str, Any], language: str) -> str:
    """One document behind a measure: its number, title and article, and the day it was issued
    (工信部联运行〔2022〕160号《…的通知》（十六））."""
    title = source_title(str(source["title"]), language) if source.get("title") else None
    article, issued = source.get("article"), source.get("issued")
    if language == "en":
        parts = [str(source.get("document") or ""), title or "", str(article or "")]
        text = ", ".join(part for part in parts if part)
        return f"{text} (issued {issued})" if issued else text
    text = str(source.get("document") or "")
    if title:
        text += title if title.startswith("《") else f"《{title}》"
    text += str(article or "")
    return f"{text}（{issued}发布）" if issued else text


def text_in(item: dict[str, Any], key: str, language: str) -> str | None:
    """`key_zh` / `key_en` of `item` in the reader's language; the unsuffixed `key` only in English
    (the catalogue writes it in English)."""
    found = item.get(f"{key}_{language}")
    if found:
        return str(found)
    plain = item.get(key)
    if plain and (language == "en" or (_CJK.search(str(plain)) and not _LATIN.search(str(plain)))):
        return str(plain)
    return None


_CHANGED = {
    "name": "firm.name", "name_en": "firm.name_en", "city": "firm.city", "province": "firm.province",
    "industry": "firm.industry", "ownership": "firm.ownership", "size": "firm.size",
    "contact": "firm.contact_email", "registration_date": "firm.registration_date",
    "flags": "firm.flags", "facts": "firm.facts_edit", "years": "firm.facts_edit",
}  # fmt: skip


def change_label(field: str, language: str) -> str:
    """The name of a changed part of a profile, in the reader's language where it has one."""
    return translate(_CHANGED[field], language) if field in _CHANGED else field


def counted(n: int, cap: int, *, at_least: bool = False) -> str:
    """A count of firms as the service gave it: past the cap "10,000+"; a count that stopped
    short of it (`at_least`) "2,907+"."""
    if n > cap:
        return f"{cap:,}+"
    return f"{n:,}+" if at_least else f"{n:,}"


def tallied(found: dict[str, Any]) -> dict[str, str]:
    """The work queue's counts per status as shown, from the service's answer: "10,000+" past
    the cap, "2,907+" where a status was partly counted (ADR 0039)."""
    partly = set(found.get("partly_counted", ()))
    cap = int(found["count_cap"])
    return {
        status: counted(n, cap, at_least=status in partly) for status, n in found["counts"].items()
    }


def compact(raw: Any, limit: int = 120) -> str:
    """A changed value as short text (JSON without escaping Chinese)."""
    if raw is None or raw in ([], {}):
        return "—"
    text = (
        raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def china_time(stamp: str | datetime | None) -> str:
    """A timestamp (ISO 8601 from a service, or the portal's own, UTC) as the reader's clock
    in China shows it."""
    if not stamp:
        return "—"
    try:
        moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(stamp)
    except ValueError:
        return str(stamp)[:16]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
