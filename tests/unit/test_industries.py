"""GB/T 4754-2017 industry classification: the shipped table and parse_industry."""

from __future__ import annotations

from collections import Counter

import pytest

from supportmatch_reference.industries import UnknownIndustry, catalogue, parse_industry

_LEVEL_BELOW = {"section": None, "division": "section", "group": "division", "class": "group"}
_CODE_LENGTH = {"section": 1, "division": 3, "group": 4, "class": 5}


def test_catalogue_counts_by_level() -> None:
    counts = Counter(industry.level for industry in catalogue().values())
    assert counts == {"section": 20, "division": 97, "group": 473, "class": 1381}


def test_sections_are_a_to_t() -> None:
    sections = sorted(code for code, i in catalogue().items() if i.level == "section")
    assert sections == [chr(c) for c in range(ord("A"), ord("T") + 1)]


def test_every_code_has_a_consistent_parent() -> None:
    table = catalogue()
    for code, industry in table.items():
        assert industry.code == code
        assert len(code) == _CODE_LENGTH[industry.level], code
        expected_parent_level = _LEVEL_BELOW[industry.level]
        if expected_parent_level is None:
            assert industry.parent is None, code
            continue
        assert industry.parent is not None, code
        parent = table[industry.parent]
        assert parent.level == expected_parent_level, code
        assert code.startswith(parent.code), code


def test_sections_and_divisions_have_english_names() -> None:
    for industry in catalogue().values():
        assert industry.name_zh, industry.code
        if industry.level in ("section", "division"):
            assert industry.name_en, industry.code


def test_parse_industry_lower_case_class() -> None:
    industry = parse_industry("c3921")
    assert industry.code == "C3921"
    assert industry.level == "class"
    assert industry.section == "C"
    assert industry.division == "C39"
    assert industry.parent == "C392"
    assert industry.name_zh


@pytest.mark.parametrize(
    ("code", "level", "division"),
    [
        ("C", "section", None),
        (" c39 ", "division", "C39"),
        ("C392", "group", "C39"),
        ("I6513", "class", "I65"),
        ("L7111", "class", "L71"),
    ],
)
def test_parse_industry_at_every_level(code: str, level: str, division: str | None) -> None:
    industry = parse_industry(code)
    assert industry.level == level
    assert industry.division == division
    assert industry.section == code.strip()[0].upper()


@pytest.mark.parametrize(
    "code", ["C9999", "Z01", "3921", "", "  ", "C3", "C39211", "U", "CC39", "C39a"]
)
def test_parse_industry_rejects(code: str) -> None:
    with pytest.raises(UnknownIndustry):
        parse_industry(code)


def test_well_formed_but_absent_code_says_so() -> None:
    with pytest.raises(UnknownIndustry, match="C9999 is not in GB/T 4754-2017"):
        parse_industry("C9999")


def test_malformed_code_explains_the_shape() -> None:
    with pytest.raises(UnknownIndustry, match="a section letter A-T and 2 to 4 digits"):
        parse_industry("Z01")
