"""The XLSX writer of the exports: a workbook spreadsheet programs open, every cell text as
written (never a formula, number, date or link), whatever the text holds."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook  # type: ignore[import-untyped]

from supportmatch_core.xlsxfiles import MAX_CELL, write_xlsx


def _read(rows: list[list[str]], sheet: str = "工作清单") -> tuple[str, list[tuple[object, ...]]]:
    file = io.BytesIO()
    write_xlsx(iter(rows), file, sheet=sheet)
    file.seek(0)
    book = load_workbook(file)
    found = book.active
    assert found is not None
    assert all(cell.data_type == "s" for row in found.iter_rows() for cell in row if cell.value)
    return found.title, list(found.iter_rows(values_only=True))


def test_every_cell_is_text_as_written() -> None:
    rows = [
        ["统一社会信用代码", "企业名称", "金额"],
        ["91440300MA5FXXXX1X", '=HYPERLINK("http://example.invalid")', "0012"],
        ["2026-12-06", "-1+2", "@SUM(A1)"],
        ["<b>&amp;</b>", "a \"quoted\" 'name'", "1e5"],
    ]
    title, read = _read(rows)
    assert title == "工作清单"
    assert read == [tuple(row) for row in rows]


def test_text_xml_cannot_carry_is_dropped_and_spaces_are_kept() -> None:
    _, read = _read([["a\x00b\x1fc", "  两端有空格  ", "第一行\n第二行", "x" * (MAX_CELL + 5)]])
    (row,) = read
    assert row[0] == "abc"
    assert row[1] == "  两端有空格  "
    assert row[2] == "第一行\n第二行"
    assert row[3] == "x" * MAX_CELL


def test_a_sheet_name_is_cut_and_escaped_and_no_rows_is_a_workbook_too() -> None:
    title, read = _read([], sheet='Work queue "A&B" of the whole province of Guangdong')
    assert title == 'Work queue "A&B" of the whole pr'[:31]
    assert read == []


def test_the_package_has_the_parts_spreadsheet_programs_look_for() -> None:
    file = io.BytesIO()
    write_xlsx([["a"]], file, sheet="s")
    names = set(zipfile.ZipFile(file).namelist())
    assert names == {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
        "xl/workbook.xml",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    }
