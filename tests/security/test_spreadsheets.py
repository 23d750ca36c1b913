"""Hostile and oversized import files are refused whole (422 with the reason), storing nothing."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest

from supportmatch_core.auth import TokenService
from tests.conftest import Databases, bearer
from tests.factories import new_uscc
from tests.integration.system import InProcessSystem
from tests.security import hostile

_built = {name: functools.cache(build) for name, (_, build) in hostile.HOSTILE.items()}
# Each case: the words its refusal must hold (Chinese, then English).
_REASONS = {
    "zip bomb (600 MB of shared strings)": ("解压后", "unpacks to 600 MB"),
    "billion laughs (DTD entities)": ("DTD", "declares a DTD"),
    "external entity (DTD)": ("DTD", "declares a DTD"),
    "1,000,000 rows (XLSX)": ("200,000 行", "more than 200,000 rows"),
    "1,000,000 rows (CSV)": ("200,000 行", "more than 200,000 rows"),
    "10 MB cell (XLSX)": ("32,767 个字符", "longer than 32,767 characters"),
    "10 MB cell (CSV)": ("32,767 个字符", "longer than 32,767 characters"),
}


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    with InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False) as running:
        yield running


def test_every_hostile_spreadsheet_is_refused_with_its_reason(
    system: InProcessSystem, tokens: TokenService
) -> None:
    assert set(_REASONS) == set(hostile.HOSTILE)
    for case, (file_name, _) in hostile.HOSTILE.items():
        answer = system.profiles.post(
            "/v1/imports", files={"file": (file_name, _built[case]())}, headers=bearer(tokens)
        )
        assert answer.status_code == 422, (case, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        (error,) = answer.json()["errors"]
        assert error["field"] == "file", case
        assert all(words in error["message"] for words in _REASONS[case]), (case, error)
    assert system.count("profiles", "imports") == 0
    assert system.count("profiles", "enterprises") == 0
    assert system.count("profiles", "outbox") == 0


def test_a_workbook_within_the_limits_is_still_read(
    system: InProcessSystem, tokens: TokenService
) -> None:
    # Names with a DTD-like text and long (but allowed) cells are data, not markup.
    rows = [[*hostile.HEADER.split(","), "main_products"]]
    rows.append([new_uscc("44"), "<!DOCTYPE 公司>", "44", "C3921", "private", "芯片;" * 40])
    answer = system.profiles.post(
        "/v1/imports",
        files={"file": ("ok.xlsx", hostile.workbook(rows))},
        headers=bearer(tokens),
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["created"], answer.json()["rejected"]) == (1, 0)
