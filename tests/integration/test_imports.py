"""Bulk import over HTTP and from the command line: what an import stores and counts, errors
located, re-import idempotent, unreadable files refused. What an import makes of the rows of a
file is tested in test_import_rows.py."""

from __future__ import annotations

import csv
import gc
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from supportmatch_core.auth import TokenService
from tests.conftest import Databases, bearer
from tests.integration.profiles_calls import csv_bytes, imported, row, upload
from tests.integration.system import InProcessSystem, offline_system

SUPPORTMATCH = Path(sys.executable).parent / "supportmatch"


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    """A system of the test's own, for the tests that import rows: each counts every row stored."""
    with offline_system(databases) as running:
        yield running


@pytest.fixture(scope="module")
def shared(module_databases: Databases) -> Iterator[InProcessSystem]:
    """One system for the unreadable files: each is refused before an import is recorded, so no
    test that shares it stores a row, and each one's check that no import is recorded holds for
    every test before it too."""
    with offline_system(module_databases) as running:
        yield running


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
    shared: InProcessSystem, tokens: TokenService, content: bytes
) -> None:
    answer = upload(shared, content, bearer(tokens))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["field"] == "file"
    assert shared.count("profiles", "imports") == 0


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
