"""One bulk import as its caller sees it: the counts, the errors with their row and column, and
the error report a spreadsheet opens."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO, TypedDict

from supportmatch_core.csvfiles import csv_header, csv_line

MAX_ERRORS = 10_000


class RowError(TypedDict):
    """A refused row of an import: where, and why."""

    row: int
    column: str
    message: str


@dataclass
class Summary:
    """One import: its file, who ran it, the counts and the errors kept (at most MAX_ERRORS)."""

    id: str
    file_name: str
    file_sha256: str
    imported_by: str
    started_at: datetime
    finished_at: datetime | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    note: str | None = None
    error_count: int = 0

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})

    def record(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        del values["error_count"]
        return values


def report_lines(errors: Iterable[RowError]) -> Iterator[str]:
    """The error report as CSV lines (UTF-8 with BOM, so spreadsheet programs read it)."""
    yield csv_header(["row", "column", "message"])
    for error in errors:
        yield csv_line([error["row"], error["column"], error["message"]])


def write_report(errors: Iterable[RowError], handle: TextIO) -> None:
    handle.writelines(report_lines(errors))
