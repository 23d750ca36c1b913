"""Reads an import file row by row, CSV (UTF-8) or XLSX, without ever holding it whole."""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

_CHUNK = 1 << 20
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the binary .xls of Excel 97-2003


class Unreadable(ValueError):
    """A file that is not a CSV in UTF-8 nor an XLSX workbook; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Sheet:
    """What one pass over the file told: its kind, digest and about how many data rows it has."""

    path: Path
    kind: str  # csv or xlsx
    sha256: str
    rows_estimate: int | None


def inspect(path: Path) -> Sheet:
    """Digest and check the file in one streaming pass (CSV: valid UTF-8, no NUL bytes)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, offset, head = 0, 0, b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if not head:
                head = chunk[:8]
            digest.update(chunk)
            if head.startswith(_ZIP):
                continue
            lines += chunk.count(b"\n")
            if b"\x00" in chunk:
                raise Unreadable("the file holds binary data; give a CSV (UTF-8) or XLSX file")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise Unreadable(
                    f"byte {offset + error.start + 1} is not UTF-8: save the file as "
                    "'CSV UTF-8' (or as XLSX)"
                ) from error
            offset += len(chunk)
    if not head:
        raise Unreadable("the file is empty")
    if head.startswith(_OLE):
        raise Unreadable("old .xls workbooks are not read; save it as .xlsx or CSV UTF-8")
    if head.startswith(_ZIP):
        return Sheet(path, "xlsx", digest.hexdigest(), _xlsx_rows(path))
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise Unreadable("the file ends inside a UTF-8 character; save it as CSV UTF-8") from error
    return Sheet(path, "csv", digest.hexdigest(), max(lines - 1, 0))


def rows(sheet: Sheet) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) for each non-blank row; the header is row 1."""
    source = _csv_rows(sheet.path) if sheet.kind == "csv" else _xlsx_cells(sheet.path)
    for number, cells in source:
        if any(cells):
            yield number, cells


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except csv.Error as error:
            raise Unreadable(f"row {number + 1} is not valid CSV: {error}") from error


def _open_workbook(handle: BinaryIO) -> Any:
    # A file object, not a path: openpyxl would refuse a path without an .xlsx suffix.
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        return load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise Unreadable(f"not a readable XLSX workbook ({error})") from error


def _xlsx_rows(path: Path) -> int | None:
    with path.open("rb") as handle:
        workbook = _open_workbook(handle)
        try:
            max_row = workbook.worksheets[0].max_row if workbook.worksheets else None
        finally:
            workbook.close()
    return max(int(max_row) - 1, 0) if max_row else None


def _xlsx_cells(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open("rb") as handle:
        workbook = _open_workbook(handle)
        try:
            if not workbook.worksheets:
                return
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_text(value) for value in values]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as error:
            raise Unreadable(f"the workbook is damaged ({error})") from error
        finally:
            workbook.close()


def _text(value: object) -> str:
    """A cell's value as the text a CSV would hold (whole floats without '.0', dates in ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
