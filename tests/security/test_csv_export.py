"""Every CSV the services write keeps cells from running as formulas in a spreadsheet program:
a cell that starts with = + - @ (or a tab or carriage return) is written after a ' (OWASP)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from supportmatch_core.auth import TokenService
from supportmatch_core.csvfiles import csv_line, inert
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.profiles_calls import csv_bytes, row, upload
from tests.integration.system import InProcessSystem

FORMULAS = [
    '=HYPERLINK("http://127.0.0.1/x","点击领取补贴")',
    "+86 电子有限公司",
    "-2+3 科技有限公司",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    with InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False) as running:
        yield running


def _records(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_enterprise_export_neutralises_formulas(
    system: InProcessSystem, tokens: TokenService
) -> None:
    admin = bearer(tokens)
    for text in FORMULAS:
        body = {**enterprise_payload(), "name": text, "city": text, "name_en": text}
        assert system.profiles.post("/v1/enterprises", json=body, headers=admin).status_code == 201
    answer = system.profiles.get("/v1/enterprises.csv", headers=admin)
    assert answer.status_code == 200
    records = _records(answer.text)
    assert sorted(r["name"] for r in records) == sorted(f"'{text}" for text in FORMULAS)
    assert all(r["city"] == r["name"] == r["name_en"] for r in records)
    assert {r["version"] for r in records} == {"1"}  # numbers stay numbers


def test_the_import_error_report_neutralises_formulas(
    system: InProcessSystem, tokens: TokenService
) -> None:
    content = csv_bytes([row(**{"=1+1": "x", "@cmd": "y"})])
    summary = upload(system, content, bearer(tokens)).json()
    report = system.profiles.get(summary["report"], headers=bearer(tokens))
    assert report.status_code == 200
    assert [r["column"] for r in _records(report.text)] == ["'=1+1", "'@cmd"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_start_is_neutralised(start: str) -> None:
    assert inert(f"{start}1+1") == f"'{start}1+1"
    (cell,) = next(csv.reader(io.StringIO(csv_line([f"{start}A1"]))))
    assert cell == f"'{start}A1"


@pytest.mark.parametrize("value", ["公司=1", "a-b", "", -5, 3.5, None])
def test_other_cells_are_written_as_they_are(value: object) -> None:
    assert inert(value) == value
