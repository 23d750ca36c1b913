"""The ranges every API accepts refuse in English with the Chinese beside it; days are YYYY-MM-DD."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from supportmatch_core.ranges import YUAN, Day
from supportmatch_reference.said import SaidValueError

DAY = TypeAdapter(Day)


def test_a_refusal_is_english_with_the_chinese_beside_it() -> None:
    with pytest.raises(SaidValueError) as refused:
        YUAN.check(-1)
    assert str(refused.value) == "It must be a number from 0 to 1,000,000,000,000,000 yuan."
    assert refused.value.zh == "应为 0 到 1,000,000,000,000,000 元之间的数。"


@pytest.mark.parametrize("written", ["2026-12-06", date(2026, 12, 6)])
def test_a_day_is_read_from_its_calendar_form(written: object) -> None:
    assert DAY.validate_python(written) == date(2026, 12, 6)


@pytest.mark.parametrize(
    "written",
    ["0", "1765000000", "2026-12-06T00:00:00", "2026-1-6", datetime(2026, 12, 6, tzinfo=UTC), 0],
)
def test_a_timestamp_or_a_time_of_day_is_not_a_day(written: object) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        DAY.validate_python(written)


def test_a_day_outside_the_range_is_refused() -> None:
    with pytest.raises(ValidationError, match="1900-01-01"):
        DAY.validate_python("1899-12-31")
