"""Every shipped measure document: bilingual texts, citations without working notes, assumptions
in words wherever a source is unverified, quotes copied from their clause, known themes."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from eligibility.domain.measures import measure_from_document
from eligibility.domain.themes import THEMES
from tests.unit._language import han_characters, latin_words

FOLDER = resources.files("eligibility") / "catalogue"
DOCUMENTS: dict[str, dict[str, Any]] = {
    item.name: json.loads(item.read_text(encoding="utf-8"))
    for item in FOLDER.iterdir()
    if item.name.endswith(".json")
}
NOTICE = (
    Path(__file__).resolve().parents[2] / "docs" / "sources" / "notice-2022-industrial-economy.txt"
)
FILE_NAME = re.compile(r"^(c(0[1-9]|1[0-6])-)?([a-z0-9]+(?:-[a-z0-9]+)*)\.v([1-9][0-9]*)\.json$")
# Words of authoring notes that must stay out of what the public API shows.
WORKING_NOTES = re.compile(
    r"FACTS\.md|recalled|administrator should|should confirm|UNVERIFIED|to review|review against|"
    r"from memory|TODO",
    re.IGNORECASE,
)
ZH_TEXTS = ("title_zh", "benefit_zh", "how_to_apply_zh", "audience_zh")
EN_TEXTS = ("title_en", "benefit_en", "how_to_apply_en", "audience_en")


def _public(doc: dict[str, Any]) -> list[str]:
    """Every text of the document the public API shows."""
    texts = [doc[k] for k in (*ZH_TEXTS, *EN_TEXTS)]
    texts += [a[lang] for a in doc.get("assumptions", []) for lang in ("zh", "en")]
    texts += [str(v) for s in doc["sources"] for k, v in s.items() if k != "verified"]
    return texts


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_document_loads_under_its_file_name(name: str) -> None:
    doc = DOCUMENTS[name]
    measure = measure_from_document(doc)
    match = FILE_NAME.match(name)
    assert match is not None
    assert (match[3], int(match[4])) == (measure.id, measure.version)
    assert measure.themes, "every measure carries a theme of the notice"
    assert set(measure.themes) <= set(THEMES)
    assert measure.departments


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_chinese_texts_hold_no_english_and_english_texts_no_chinese(name: str) -> None:
    doc = DOCUMENTS[name]
    chinese = [doc[k] for k in ZH_TEXTS] + [a["zh"] for a in doc.get("assumptions", [])]
    english = [doc[k] for k in EN_TEXTS] + [a["en"] for a in doc.get("assumptions", [])]
    if "estimate" in doc:
        chinese.append(doc["estimate"]["label_zh"])
        english.append(doc["estimate"]["label_en"])
    assert [w for text in chinese for w in latin_words(text)] == []
    assert [h for text in english for h in han_characters(text)] == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_sources_are_citations_and_working_notes_stay_internal(name: str) -> None:
    doc = DOCUMENTS[name]
    for source in doc["sources"]:
        assert source["document"].strip()
        assert set(source) <= {"document", "title", "article", "issued", "url", "verified"}
    assert [t for t in _public(doc) if WORKING_NOTES.search(t)] == []
    unverified = [s for s in doc["sources"] if not s["verified"]]
    if unverified:
        assert doc.get("assumptions"), "say in words what an unverified source assumes"
    assert doc["sources"][0]["document"] == "工信部联运行〔2022〕160号"
    assert doc["sources"][0]["article"] == doc["clause"]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_quote_is_copied_exactly_from_its_clause(name: str) -> None:
    notice = NOTICE.read_text(encoding="utf-8")
    doc = DOCUMENTS[name]
    numeral = doc["clause"][1:-1]
    paragraph = next(
        line for line in notice.splitlines() if re.match(rf"^[（(]{numeral}[）)]", line.strip())
    )
    assert doc["quote"] in paragraph


def test_a_version_open_to_today_says_whether_its_basis_is_verified() -> None:
    open_ones = [measure_from_document(d) for d in DOCUMENTS.values() if d["valid_to"] is None]
    assert {m.basis for m in open_ones} <= {"verified", "assumed"}
    assert all(m.assumptions for m in open_ones if m.basis == "assumed" and m.sources[-1].verified)
