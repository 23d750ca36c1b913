"""The parts of a measure document beside its criteria: citations, assumptions, themes, dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from eligibility.domain.criteria import InvalidCriteria, codes, needs_text, shown
from eligibility.domain.themes import THEMES


@dataclass(frozen=True, slots=True)
class Text:
    """One statement in Chinese and English."""

    zh: str
    en: str

    def public(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True, slots=True)
class Source:
    """A citation: the document's number or name, its title, the article, its date and link."""

    document: str
    verified: bool
    title: str | None = None
    article: str | None = None
    issued: date | None = None
    url: str | None = None

    def public(self) -> dict[str, object]:
        return {
            "document": self.document,
            "title": self.title,
            "article": self.article,
            "issued": self.issued.isoformat() if self.issued else None,
            "url": self.url,
            "verified": self.verified,
        }


_SOURCE_KEYS = {"document", "title", "article", "issued", "url", "verified"}


def read_sources(items: object) -> tuple[Source, ...]:
    if not isinstance(items, list) or not items:
        raise InvalidCriteria(
            "sources: expected a non-empty list of citations", zh="应为出处列表，不能为空"
        )
    sources = []
    for i, item in enumerate(items):
        path = f"sources[{i}]"
        if not isinstance(item, dict) or set(item) - _SOURCE_KEYS:
            raise InvalidCriteria(
                f"{path}: a citation has only {', '.join(sorted(_SOURCE_KEYS))}",
                zh=f"出处应为对象，只能含以下各项：{codes(sorted(_SOURCE_KEYS))}",
            )
        if not isinstance(item.get("verified"), bool):
            raise InvalidCriteria(
                f"{path}.verified: expected true or false", zh="应为true或false（是否已核对原文）"
            )
        for name in ("document", "title", "article", "url"):
            value = item.get(name)
            if (name == "document" or value is not None) and not _text(value):
                raise needs_text(f"{path}.{name}")
        url = item.get("url")
        if url is not None and not url.startswith(("https://", "http://")):
            raise InvalidCriteria(
                f"{path}.url: expected a web address", zh="应为以http://或https://开头的网址"
            )
        issued = day(item, "issued", path=path) if item.get("issued") is not None else None
        sources.append(
            Source(
                item["document"],
                item["verified"],
                item.get("title"),
                item.get("article"),
                issued,
                url,
            )
        )
    return tuple(sources)


def read_assumptions(items: object) -> tuple[Text, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise InvalidCriteria(
            "assumptions: expected a list of {zh, en}", zh="应为列表，每项含zh和en"
        )
    for i, item in enumerate(items):
        if not (
            isinstance(item, dict) and set(item) == {"zh", "en"} and all(map(_text, item.values()))
        ):
            raise InvalidCriteria(
                f"assumptions[{i}]: expected {{zh, en}}, both non-empty",
                zh="应只含zh和en两项，均不能为空",
            )
    return tuple(Text(item["zh"], item["en"]) for item in items)


def read_themes(items: object) -> tuple[str, ...]:
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(i, str) and i in THEMES for i in items):
        raise InvalidCriteria(
            f"themes: a list of {', '.join(THEMES)}",
            zh=f"应为列表，每项为以下之一：{codes(THEMES)}",
        )
    return tuple(items)


def read_strings(doc: dict[str, Any], name: str) -> tuple[str, ...]:
    items = doc.get(name) or []
    if not isinstance(items, list) or not all(isinstance(d, str) for d in items):
        raise InvalidCriteria(f"{name}: expected a list of strings", zh="应为文本列表")
    return tuple(items)


def day(doc: dict[str, Any], name: str, *, path: str = "") -> date:
    value = doc[name]
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    where = f"{path}.{name}" if path else name
    raise InvalidCriteria(
        f"{where}: expected a date as YYYY-MM-DD, got {value!r}",
        zh=f"应为“年-月-日”格式的日期，如2022-07-01，现为{shown(value)}",
    )


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
