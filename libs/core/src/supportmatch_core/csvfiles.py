"""CSV lines for people to open in spreadsheet programs, every cell kept from running as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# A spreadsheet program reads a cell starting with one of these as a formula (OWASP, CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """`value`, or a text that would start a formula with a ' before it, so that it shows as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_line(values: Iterable[object]) -> str:
    """One CSV record (RFC 4180, CRLF) of `values`, each text made inert."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([inert(value) for value in values])
    return buffer.getvalue()


def csv_header(columns: Iterable[str]) -> str:
    """The first line: a UTF-8 BOM, so that spreadsheet programs read Chinese, then the names."""
    return "\ufeff" + csv_line(columns)
