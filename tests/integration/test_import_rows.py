"""What an import over HTTP makes of the rows of a file: the columns of the later rules, a
workbook, unknown columns, a code given twice, a caseworker's regions, and a batch meeting rows
written meanwhile. What an import stores and counts is tested in test_imports.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from profiles.adapters.repository import Enterprises
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.db import create_database_engine
from supportmatch_core.errors import ConflictError
from tests.conftest import Databases, bearer
from tests.factories import new_uscc
from tests.integration.profiles_calls import csv_bytes, imported, row, upload
from tests.integration.system import InProcessSystem, offline_system


@pytest.fixture(scope="module")
def shared(module_databases: Databases) -> Iterator[InProcessSystem]:
    """One system for every test of this module: each imports firms of its own (fresh USCCs)
    and reads only those and its own import's summary, report and errors, never a count, a list
    or another import, so none can see what another stored."""
    with offline_system(module_databases) as running:
        yield running


def test_the_facts_of_the_later_rules_import_from_their_columns(
    shared: InProcessSystem, tokens: TokenService
) -> None:
    good = row(
        vat_taxpayer_type="general",
        vat_credit_balances="2025-12:1,000,000；2026-01:1200000",
        vat_sales_by_industry="C3921:9000000;F5191=1000000",
        own_brand="是",
        layoff_rate="1.5%",
        ip_class1="3",
        serious_violation_3y="否",
    )
    summary = imported(shared, tokens, [good, row(vat_credit_balances="Dec: lots")])
    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert {e["column"] for e in summary["errors"]} == {"vat_credit_balances"}
    body = shared.profiles.get(f"/v1/enterprises/{good['uscc']}", headers=bearer(tokens)).json()
    assert body["vat_credit_balances"] == {"2025-12": 1_000_000, "2026-01": 1_200_000}
    assert body["vat_sales_by_industry"] == {"C3921": 9_000_000, "F5191": 1_000_000}
    assert body["flags"]["own_brand"] is True
    assert body["facts"]["layoff_rate"] == 1.5
    assert body["facts"]["serious_violation_3y"] is False


def test_a_code_given_twice_is_applied_in_file_order(
    shared: InProcessSystem, tokens: TokenService
) -> None:
    first = row()
    summary = imported(shared, tokens, [first, {**first, "name": "广东华信通信有限公司"}])
    assert (summary["created"], summary["updated"]) == (1, 1)
    body = shared.profiles.get(f"/v1/enterprises/{first['uscc']}", headers=bearer(tokens)).json()
    assert body["name"] == "广东华信通信有限公司"


def test_xlsx_is_read_like_csv(
    shared: InProcessSystem, tokens: TokenService, tmp_path: Path
) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["uscc", "name", "province", "industry", "ownership", "employees", "listed"])
    codes = [new_uscc("44") for _ in range(3)]
    for code in codes:
        sheet.append([code, "广东华信科技有限公司", "44", "C3921", "private", 42, True])
    sheet.append([new_uscc("44"), "广东华信科技有限公司", "44", "C3921", "private", "many", None])
    workbook.save(tmp_path / "firms.xlsx")
    answer = upload(shared, (tmp_path / "firms.xlsx").read_bytes(), bearer(tokens), "firms.xlsx")
    assert answer.status_code == 201, answer.text
    summary = answer.json()
    assert (summary["created"], summary["rejected"]) == (3, 1)
    assert summary["errors"] == [
        {"row": 5, "column": "employees", "message": summary["errors"][0]["message"]}
    ]
    body = shared.profiles.get(f"/v1/enterprises/{codes[0]}", headers=bearer(tokens)).json()
    assert body["facts"]["employees"] == 42


def test_unknown_columns_are_reported_once(shared: InProcessSystem, tokens: TokenService) -> None:
    summary = imported(shared, tokens, [row(colour="red"), row(colour="blue")])
    assert summary["created"] == 2
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [(1, "colour")]


def test_who_may_import(shared: InProcessSystem, tokens: TokenService) -> None:
    content = csv_bytes([row(), row(uscc=new_uscc("11"), province="北京")])
    me = bearer(tokens, Role.ENTERPRISE, uscc=new_uscc())
    assert upload(shared, content, me).status_code == 403
    guangdong = bearer(tokens, Role.CASEWORKER, regions=["44"])
    answer = upload(shared, content, guangdong)
    assert answer.status_code == 201, answer.text
    summary = answer.json()
    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert summary["errors"][0]["row"] == 3
    assert shared.profiles.get(f"/v1/imports/{summary['id']}", headers=me).status_code == 403
    other = tokens.issue(subject="another-caseworker", role=Role.CASEWORKER, regions=["44"])
    colleague = {"Authorization": f"Bearer {other}"}
    assert shared.profiles.get(f"/v1/imports/{summary['id']}", headers=colleague).status_code == 403


def test_a_batch_meeting_rows_written_meanwhile_is_a_conflict_on_either_database(
    shared: InProcessSystem, tokens: TokenService
) -> None:
    """PostgreSQL takes a batch by COPY, whose unique violation psycopg raises unwrapped: both
    databases must give the ConflictError the import retries on (never a 500)."""
    firm = row()
    imported(shared, tokens, [firm])
    version = {
        "uscc": firm["uscc"],
        "version": 1,
        "changed_by": "another import",
        "changed_at": datetime.now(UTC),
        "changes": {},
    }
    engine = create_database_engine(shared.urls["profiles"])
    try:
        with pytest.raises(ConflictError), engine.begin() as connection:
            Enterprises(connection).write_many(
                added=[],
                replaced=[],
                years_added=[],
                years_replaced=[],
                versions=[version],
                events=[],
            )
    finally:
        engine.dispose()
