"""Reads an import file row by row, CSV (UTF-8) or XLSX, without ever holding it whole.

`inspect` checks the whole file against the limits before any row is imported; `rows` checks them
again as it reads (a workbook can hide rows from a byte count), stopping at the first one passed.
"""

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

from profiles.adapters import workbooks
from profiles.adapters.workbooks import Limits, cell_refusal, rows_refusal

__all__ = ["Limits", "Sheet", "Unreadable", "inspect", "rows"]

_CHUNK = 1 << 20
_COLUMNS = 256  # columns read from a workbook: the format has forty
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


def inspect(path: Path, limits: Limits) -> Sheet:
    """Digest and check the file: CSV valid UTF-8 without NUL bytes, XLSX a safe package, either
    within the limits of rows and cell length."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, head, lines = 0, b"", _Lines(limits.cell_chars)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if not head:
                head = chunk[:8]
            digest.update(chunk)
            if head.startswith(_ZIP):
                continue
            lines.add(chunk)
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
        try:
            return Sheet(path, "xlsx", digest.hexdigest(), workbooks.check(path, limits))
        except workbooks.Refused as error:
            raise Unreadable(str(error)) from error
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise Unreadable("the file ends inside a UTF-8 character; save it as CSV UTF-8") from error
    lines.close()
    if lines.count > limits.rows + 1 or lines.long:
        # Quoted cells may hold line breaks: only reading the records tells whether it is over.
        return Sheet(path, "csv", digest.hexdigest(), _csv_within(path, limits))
    return Sheet(path, "csv", digest.hexdigest(), max(lines.count - 1, 0))


def rows(sheet: Sheet, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) for each non-blank row; the header is row 1."""
    source = (
        _csv_rows(sheet.path, limits) if sheet.kind == "csv" else _xlsx_cells(sheet.path, limits)
    )
    for number, cells in source:
        if number > limits.rows + 1:
            raise Unreadable(rows_refusal(limits))
        if any(cells):
            yield number, cells


class _Lines:
    """Counts a file's lines and tells whether one may be longer than `longest` bytes: no cell is
    longer than its line unless a quoted cell holds a line break."""

    def __init__(self, longest: int) -> None:
        self.count, self.long = 0, False
        self._longest, self._window = longest, max(1, longest // 2)
        self._start = self._offset = 0  # where the current line began; the bytes seen

    def add(self, chunk: bytes) -> None:
        first = chunk.find(b"\n")
        if first == -1:
            self._offset += len(chunk)
            return
        self.count += chunk.count(b"\n")
        self.long |= self._offset + first - self._start > self._longest
        last = chunk.rfind(b"\n")
        # Between the first and last break, a line of twice the window holds a whole window.
        for begin in range(first + 1, last - self._window + 1, self._window):
            if chunk.find(b"\n", begin, begin + self._window) == -1:
                self.long = True
                break
        self._start, self._offset = self._offset + last + 1, self._offset + len(chunk)

    def close(self) -> None:
        self.long |= self._offset - self._start > self._longest


def _csv_within(path: Path, limits: Limits) -> int:
    """The data rows of a CSV file; raises Unreadable when it has too many, or too long a cell."""
    number = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            for number, cells in enumerate(csv.reader(handle), start=1):
                if number > limits.rows + 1:
                    raise Unreadable(rows_refusal(limits))
                if any(len(cell) > limits.cell_chars for cell in cells):
                    raise Unreadable(cell_refusal(limits, number))
        except csv.Error as error:
            if "field limit" in str(error):  # a cell longer than the csv module reads at all
                raise Unreadable(cell_refusal(limits, number + 1)) from error
            # Other faults are reported with their row while importing, after the rows before.
    return max(number - 1, 0)


def _csv_rows(path: Path, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except csv.Error as error:
            if "field limit" in str(error):  # the csv module reads no cell over 131,072 characters
                raise Unreadable(cell_refusal(limits, number + 1)) from error
            raise Unreadable(f"row {number + 1} is not valid CSV: {error}") from error


def _open_workbook(handle: BinaryIO) -> Any:
    # A file object, not a path: openpyxl would refuse a path without an .xlsx suffix.
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        return load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise Unreadable(f"not a readable XLSX workbook ({error})") from error


def _xlsx_cells(path: Path, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    with path.open("rb") as handle:
        workbook = _open_workbook(handle)
        try:
            if not workbook.worksheets:
                return
            sheet = workbook.worksheets[0]
            # Rows are padded to the widest; a sheet claiming 16,384 columns gets no more than these.
            width = min(sheet.max_column or _COLUMNS, _COLUMNS)
            values_by_row = sheet.iter_rows(values_only=True, max_col=width)
            for number, values in enumerate(values_by_row, start=1):
                cells = [_text(value) for value in values]
                if any(len(cell) > limits.cell_chars for cell in cells):  # in runs of rich text
                    raise Unreadable(cell_refusal(limits, number))
                yield number, cells
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
