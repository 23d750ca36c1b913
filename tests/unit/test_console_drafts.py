"""The console's reading of a draft as typed (JSON slips by line and column, in Chinese), the
next version's first draft, and the reach's tables of firms gained and lost."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.drafts import MAX_TEXT, NotJson, next_draft, overlaps, read_text, shown
from portal.domain.reach import Row, breakdowns


@pytest.mark.parametrize(
    ("text", "where", "zh"),
    [
        ('{\n  "a": 1\n  "b": 2\n}', "3:3", "第3行第3列不是有效的JSON：此处缺少逗号"),
        ('{"a": 1,}', "1:9", "第1行第9列不是有效的JSON：字段名须用英文双引号括起（或多了逗号）"),
        ('{"a": }', "1:7", "第1行第7列不是有效的JSON：此处缺少取值（或多了逗号）"),
        ('{"a": "x', "1:7", "第1行第7列不是有效的JSON：字符串缺少结尾的双引号"),
        ('{"a": 1} 2', "1:10", "第1行第10列不是有效的JSON：文档结束后还有多余内容"),
        ("[1, 2]", "", "文档应为一个JSON对象（以 { 开头）"),
    ],
)
def test_a_slip_is_said_where_it_is(text: str, where: str, zh: str) -> None:
    with pytest.raises(NotJson) as refused:
        read_text(text)
    assert (refused.value.problem.where, refused.value.problem.zh) == (where, zh)
    assert refused.value.problem.en


def test_an_overlong_text_is_refused_before_it_is_read() -> None:
    with pytest.raises(NotJson) as refused:
        read_text(" " * (MAX_TEXT + 1))
    assert "文档过长" in refused.value.problem.zh


def test_the_next_draft_follows_the_latest_version_from_the_day_given() -> None:
    latest = {"id": "m", "version": 3, "valid_from": "2025-01-01", "valid_to": "2027-12-31"}
    drafted = next_draft(latest, starts=date(2026, 12, 7))
    assert drafted == {"id": "m", "version": 4, "valid_from": "2026-12-07", "valid_to": None}
    assert latest["version"] == 3
    assert read_text(shown({"title_zh": "增值税留抵退税"})) == {"title_zh": "增值税留抵退税"}
    assert "增值税留抵退税" in shown({"title_zh": "增值税留抵退税"})  # Chinese as written


def test_the_reach_tables_put_the_largest_changes_first() -> None:
    def group(**by: dict[str, int]) -> dict[str, dict[str, int]]:
        return {f"by_{trait}": by.get(trait, {}) for trait in ("province", "size", "ownership")}

    tables = breakdowns(
        {
            "newly_eligible": group(province={"44": 3, "11": 1}, size={"small": 4}),
            "no_longer_eligible": group(province={"11": 5}, size={}),
        }
    )
    by_province, by_size, by_ownership = tables
    assert by_province.rows == [Row("11", 1, 5), Row("44", 3, 0)]
    assert by_province.widest == 5
    assert (by_province.fact, by_size.fact) == ("province_code", "size_class")
    assert by_size.rows == [Row("small", 4, 0)]
    assert (by_ownership.rows, by_ownership.widest) == ([], 0)


def test_a_draft_offers_to_end_only_the_version_its_days_overlap() -> None:
    draft = {"valid_from": "2026-12-07"}
    open_ended = {"version": 1, "valid_to": None, "ended": False}
    assert overlaps(open_ended, draft) == 1
    assert overlaps({**open_ended, "valid_to": "2026-12-31"}, draft) == 1
    assert overlaps({**open_ended, "valid_to": "2026-12-06"}, draft) is None
    assert overlaps({**open_ended, "valid_to": "2025-12-31", "ended": True}, draft) is None
