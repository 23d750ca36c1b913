"""Bulk import over HTTP and from the command line: rows stored, errors located, re-import idempotent."""

from __future__ import annotations

import csv
import gc
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from profiles.adapters.repository import Enterprises
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.db import create_database_engine
from supportmatch_core.errors import ConflictError
from tests.conftest import Databases, bearer
from tests.factories import new_uscc
from tests.integration.system import InProcessSystem

SUPPORTMATCH = Path(sys.executable).parent / "supportmatch"


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    with InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False) as running:
        yield running


def row(**values: Any) -> dict[str, Any]:
    """A valid import row of a manufacturer in Guangdong, with `values` laid over it."""
    base = {"uscc": new_uscc("44"), "name": "广东华信科技有限公司", "province": "广东"}
    base |= {"industry": "C3921", "ownership": "private", "city": "深圳市"}
    base |= {"fiscal_year": "2024", "employees": "120", "revenue": "50,000,000"}
    return base | values


def csv_bytes(rows: list[dict[str, Any]], *, bom: bool = True) -> bytes:
    columns = list(dict.fromkeys(name for r in rows for name in r))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


def upload(
    system: InProcessSystem, content: bytes, headers: dict[str, str], name: str = "firms.csv"
) -> Any:
    return system.profiles.post("/v1/imports", files={"file": (name, content)}, headers=headers)


def imported(system: InProcessSystem, tokens: TokenService, rows: list[dict[str, Any]]) -> Any:
    answer = upload(system, csv_bytes(rows), bearer(tokens))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_good_rows_are_stored_and_bad_rows_reported_by_row_and_column(
    system: InProcessSystem, tokens: TokenService
) -> None:
    good = [
        row(),
        row(
            main_products="通信设备; 路由器",
            export_oriented="是",
            listed="否",
            contact_email="finance@firm.example",
        ),
    ]
    bad = [
        row(uscc="914403001922038217"),
        row(industry="C9999"),
        row(revenue="-5"),
        row(employees="twelve"),
        row(fiscal_year="2999"),
        row(province="北京"),
        row(contact_email="finance at firm"),
    ]
    summary = imported(system, tokens, [*good, *bad])
    assert (summary["rows"], summary["created"], summary["rejected"]) == (9, 2, 7)
    located = {(e["row"], e["column"]) for e in summary["errors"]}
    assert located == {
        (4, "uscc"),
        (5, "industry"),
        (6, "revenue"),
        (7, "employees"),
        (8, "fiscal_year"),
        (9, "province"),
        (10, "contact_email"),
    }
    assert system.count("profiles", "enterprises") == 2
    assert system.count("profiles", "outbox") == 2
    stored = system.profiles.get(f"/v1/enterprises/{good[1]['uscc']}", headers=bearer(tokens))
    body = stored.json()
    assert body["main_products"] == ["通信设备", "路由器"]
    assert body["flags"]["export_oriented"] is True
    assert body["listed"] is False
    assert body["contact"] == {"email": "finance@firm.example"}
    assert body["facts"] == {"employees": 120, "revenue": 50_000_000, "fiscal_year": 2024}
    report = system.profiles.get(summary["report"], headers=bearer(tokens))
    assert report.status_code == 200
    lines = list(csv.reader(io.StringIO(report.text.lstrip("\ufeff"))))
    assert lines[0] == ["row", "column", "message"]
    assert len(lines) == 8
    assert (
        system.profiles.get(f"/v1/imports/{summary['id']}", headers=bearer(tokens)).json()[
            "rejected"
        ]
        == 7
    )


def test_the_facts_of_the_later_rules_import_from_their_columns(
    system: InProcessSystem, tokens: TokenService
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
    summary = imported(system, tokens, [good, row(vat_credit_balances="Dec: lots")])
    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert {e["column"] for e in summary["errors"]} == {"vat_credit_balances"}
    body = system.profiles.get(f"/v1/enterprises/{good['uscc']}", headers=bearer(tokens)).json()
    assert body["vat_credit_balances"] == {"2025-12": 1_000_000, "2026-01": 1_200_000}
    assert body["vat_sales_by_industry"] == {"C3921": 9_000_000, "F5191": 1_000_000}
    assert body["flags"]["own_brand"] is True
    assert body["facts"]["layoff_rate"] == 1.5
    assert body["facts"]["serious_violation_3y"] is False


def test_importing_the_same_file_again_changes_nothing(
    system: InProcessSystem, tokens: TokenService
) -> None:
    rows = [row() for _ in range(5)]
    first = imported(system, tokens, rows)
    again = imported(system, tokens, rows)
    assert (first["created"], again["created"], again["updated"], again["unchanged"]) == (
        5,
        0,
        0,
        5,
    )
    assert system.count("profiles", "enterprise_versions") == 5
    assert system.count("profiles", "outbox") == 5


def test_a_changed_row_makes_one_version_and_one_event_and_empty_cells_keep_values(
    system: InProcessSystem, tokens: TokenService
) -> None:
    rows = [row() for _ in range(3)]
    imported(system, tokens, rows)
    rows[1] = {**rows[1], "employees": "130", "city": ""}
    summary = imported(system, tokens, rows)
    assert (summary["updated"], summary["unchanged"]) == (1, 2)
    assert system.count("profiles", "enterprise_versions") == 4
    assert system.count("profiles", "outbox") == 4
    history = system.profiles.get(
        f"/v1/enterprises/{rows[1]['uscc']}/history", headers=bearer(tokens)
    ).json()
    assert history[0]["changes"]["facts.employees"] == {"from": 120, "to": 130}
    body = system.profiles.get(f"/v1/enterprises/{rows[1]['uscc']}", headers=bearer(tokens)).json()
    assert body["city"] == "深圳市"


def test_integers_beyond_the_range_of_money_are_refused_by_row(
    system: InProcessSystem, tokens: TokenService
) -> None:
    # Once stored, eligibility could never decide them (its columns hold 64 bits).
    huge = 10**24
    first = row(revenue=str(huge), total_assets=str(huge))
    summary = imported(system, tokens, [first])
    assert (summary["created"], summary["rejected"]) == (0, 1)
    assert {e["column"] for e in summary["errors"]} == {"revenue", "total_assets"}
    assert all("1,000,000,000,000,000" in e["message"] for e in summary["errors"])
    assert system.count("profiles", "enterprises") == 0
    assert system.count("profiles", "outbox") == 0
    assert gc.get_freeze_count() == 0  # the import hands the frozen objects back


def test_a_code_given_twice_is_applied_in_file_order(
    system: InProcessSystem, tokens: TokenService
) -> None:
    first = row()
    summary = imported(system, tokens, [first, {**first, "name": "广东华信通信有限公司"}])
    assert (summary["created"], summary["updated"]) == (1, 1)
    body = system.profiles.get(f"/v1/enterprises/{first['uscc']}", headers=bearer(tokens)).json()
    assert body["name"] == "广东华信通信有限公司"


def test_xlsx_is_read_like_csv(
    system: InProcessSystem, tokens: TokenService, tmp_path: Path
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
    answer = upload(system, (tmp_path / "firms.xlsx").read_bytes(), bearer(tokens), "firms.xlsx")
    assert answer.status_code == 201, answer.text
    summary = answer.json()
    assert (summary["created"], summary["rejected"]) == (3, 1)
    assert summary["errors"] == [
        {"row": 5, "column": "employees", "message": summary["errors"][0]["message"]}
    ]
    body = system.profiles.get(f"/v1/enterprises/{codes[0]}", headers=bearer(tokens)).json()
    assert body["facts"]["employees"] == 42


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"",
        "uscc,名称\n914403001922038216,广东\n".encode("gbk"),
        b"name,province\nfirm,44\n",
        b"PK\x03\x04 not really a workbook",
    ],
)
def test_unreadable_files_are_422_and_store_nothing(
    system: InProcessSystem, tokens: TokenService, content: bytes
) -> None:
    answer = upload(system, content, bearer(tokens))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["field"] == "file"
    assert system.count("profiles", "imports") == 0


def test_unknown_columns_are_reported_once(system: InProcessSystem, tokens: TokenService) -> None:
    summary = imported(system, tokens, [row(colour="red"), row(colour="blue")])
    assert summary["created"] == 2
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [(1, "colour")]


def test_who_may_import(system: InProcessSystem, tokens: TokenService) -> None:
    content = csv_bytes([row(), row(uscc=new_uscc("11"), province="北京")])
    me = bearer(tokens, Role.ENTERPRISE, uscc=new_uscc())
    assert upload(system, content, me).status_code == 403
    guangdong = bearer(tokens, Role.CASEWORKER, regions=["44"])
    answer = upload(system, content, guangdong)
    assert answer.status_code == 201, answer.text
    summary = answer.json()
    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert summary["errors"][0]["row"] == 3
    assert system.profiles.get(f"/v1/imports/{summary['id']}", headers=me).status_code == 403
    other = tokens.issue(subject="another-caseworker", role=Role.CASEWORKER, regions=["44"])
    colleague = {"Authorization": f"Bearer {other}"}
    assert system.profiles.get(f"/v1/imports/{summary['id']}", headers=colleague).status_code == 403


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PROFILES_DATABASE_URL": f"sqlite:///{tmp_path / 'profiles.sqlite3'}",
        "SUPPORTMATCH_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [str(SUPPORTMATCH), *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_imports_files_with_exit_codes_0_1_2(tmp_path: Path) -> None:
    good, bad, junk = tmp_path / "good.csv", tmp_path / "bad.csv", tmp_path / "junk.csv"
    demo = run_cli(tmp_path, "demo-data", "--count", "300", "--seed", "7", "--out", str(good))
    assert demo.returncode == 0, demo.stderr
    done = run_cli(tmp_path, "import", "enterprises", str(good))
    assert done.returncode == 0, done.stderr
    assert "300 rows: 300 created" in done.stdout
    again = run_cli(tmp_path, "import", "enterprises", str(good))
    assert "0 created, 0 updated, 300 unchanged" in again.stdout
    bad.write_bytes(csv_bytes([row(), row(industry="C9999")]))
    rejected = run_cli(tmp_path, "import", "enterprises", str(bad))
    assert rejected.returncode == 1, rejected.stderr
    assert "1 created" in rejected.stdout
    assert "3,industry," in (tmp_path / "bad.errors.csv").read_text(encoding="utf-8-sig")
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    unreadable = run_cli(tmp_path, "import", "enterprises", str(junk))
    assert unreadable.returncode == 2
    assert "Traceback" not in unreadable.stderr
    assert "cannot be imported" in unreadable.stderr
    direct = run_cli(tmp_path, "demo-data", "--count", "50", "--seed", "8")
    assert direct.returncode == 0, direct.stderr
    assert "50 rows: 50 created" in direct.stdout


def test_a_batch_meeting_rows_written_meanwhile_is_a_conflict_on_either_database(
    system: InProcessSystem, tokens: TokenService
) -> None:
    """PostgreSQL takes a batch by COPY, whose unique violation psycopg raises unwrapped: both
    databases must give the ConflictError the import retries on (never a 500)."""
    firm = row()
    imported(system, tokens, [firm])
    version = {
        "uscc": firm["uscc"],
        "version": 1,
        "changed_by": "another import",
        "changed_at": datetime.now(UTC),
        "changes": {},
    }
    engine = create_database_engine(system.urls["profiles"])
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
