"""Demo enterprises: valid by the API's own rules, varied, with gaps, and the same for a seed."""

from __future__ import annotations

from collections import Counter

from profiles.api.schemas import EnterpriseCreate
from profiles.domain.model import YEAR_FACTS
from profiles.domain.rows import COLUMNS, body_of, read_header
from profiles.domain.rules import check_province
from profiles.domain.versions import size_of
from supportmatch_cli import demo


def test_every_demo_row_passes_the_import_validation() -> None:
    header = read_header(list(COLUMNS))
    assert not header.unknown
    sizes: Counter[str] = Counter()
    provinces: Counter[str] = Counter()
    sections: Counter[str] = Counter()
    ownerships: Counter[str] = Counter()
    for row in demo.rows(1000, seed=3):
        body = EnterpriseCreate.model_validate(body_of(header, [row[c] for c in COLUMNS]))
        profile = body.to_profile()
        assert check_province(body.uscc, profile.enterprise.province)
        sizes[size_of(profile).size_class.value] += 1
        provinces[body.province] += 1
        sections[body.industry[0]] += 1
        ownerships[body.ownership.value] += 1
    assert {"micro", "small", "medium", "large"} <= set(sizes)
    assert len(provinces) >= 20
    assert sections.most_common(1)[0][0] == "C"
    assert ownerships.most_common(1)[0][0] == "private"
    assert len(ownerships) == 6


def test_some_facts_are_left_unknown() -> None:
    rows = list(demo.rows(500, seed=5))
    cells = [row[name] for row in rows for name in YEAR_FACTS]
    empty = sum(1 for cell in cells if not cell) / len(cells)
    assert 0.10 <= empty <= 0.45  # 10-30 % left out, plus facts that do not apply (niche share)


def test_the_same_seed_gives_the_same_rows_and_another_seed_others() -> None:
    assert list(demo.rows(50, seed=9)) == list(demo.rows(50, seed=9))
    assert list(demo.rows(50, seed=9)) != list(demo.rows(50, seed=10))
    codes = [row["uscc"] for row in demo.rows(2000, seed=1)]
    assert len(set(codes)) == len(codes)
