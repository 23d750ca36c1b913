"""Chinese first, English beside it: no Latin word but codes and units in any Chinese text a firm
receives (determination, inbox entry, mail), and no Han character in the English ones but names.

Every measure version of the catalogue is decided, on its first day in force, for firms that
qualify, fail, or leave facts unknown, so every sentence form and every label is read."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest

from eligibility.domain.decision import Status, decide
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import Measure, load_catalogue
from notifications.adapters.email import notice_email
from notifications.domain.messages import message_for
from supportmatch_core.contracts.determination import EligibilityChanged
from tests.unit._language import han_characters, latin_words
from tests.unit._snapshots import determination
from tests.unit.test_catalogue_today import (
    DEVELOPER,
    INNOVATOR,
    LITTLE_GIANT,
    MAKER,
    RD_CENTRE,
    SMALL_SCALE,
    snapshot,
)

FIRMS: dict[str, dict[str, Any]] = {
    "maker": {**MAKER, "certs": (("high_tech_enterprise", "national"),)},
    "unknown": {"industry": "H6210"},
    "centre": RD_CENTRE,
    "small_scale": SMALL_SCALE,
    "developer": DEVELOPER,
    "innovator": INNOVATOR,
    "little_giant": LITTLE_GIANT,
}
NAME_ZH, NAME_EN = "测试制造有限公司", "Test Manufacturing"
_TAGS = re.compile(r"<[^>]+>")


def _texts(value: Any, language: str) -> list[str]:
    """Every text of one language in a determination's data: fields ending in _zh or _en, and
    the zh/en members of bilingual objects."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in (f"text_{language}", f"label_{language}", f"title_{language}",
                       f"how_to_apply_{language}", f"formula_{language}", f"note_{language}",
                       language) and isinstance(item, str):  # fmt: skip
                found.append(item)
            else:
                found += _texts(item, language)
    elif isinstance(value, list):
        for item in value:
            found += _texts(item, language)
    return found


def _cases() -> list[Any]:
    cases = []
    for measure in load_catalogue():
        for firm in FIRMS:
            cases.append(pytest.param(measure, firm, id=f"{measure.id}.v{measure.version}-{firm}"))
    return cases


@pytest.mark.parametrize(("measure", "firm"), _cases())
def test_every_text_a_firm_receives_is_in_one_language(measure: Measure, firm: str) -> None:
    on = (
        measure.valid_from + timedelta(days=1)
        if measure.valid_to != measure.valid_from
        else measure.valid_from
    )
    decision = decide(measure, facts_of(snapshot(FIRMS[firm], on)), on)
    previous = Status.ELIGIBLE if decision.status is Status.INELIGIBLE else None
    data = determination(decision, previous)
    message = message_for(EligibilityChanged.from_data(data))
    mail_zh = notice_email(message, language="zh", name=NAME_ZH)
    mail_en = notice_email(message, language="en", name=NAME_EN)

    chinese = [*_texts(data, "zh"), message.title_zh, message.body_zh, message.next_step_zh]
    chinese += list(message.reasons_zh)
    chinese += [mail_zh["subject"], mail_zh["text"], html.unescape(_TAGS.sub(" ", mail_zh["html"]))]
    english = [*_texts(data, "en"), message.title_en, message.body_en, message.next_step_en]
    english += list(message.reasons_en)
    english += [mail_en["subject"], mail_en["text"], html.unescape(_TAGS.sub(" ", mail_en["html"]))]

    assert [(w, t[:120]) for t in chinese for w in latin_words(t)] == []
    assert [(h, t[:120]) for t in english for h in han_characters(t, names=(NAME_ZH,))] == []
