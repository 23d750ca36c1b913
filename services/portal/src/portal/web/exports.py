"""The work queue as a file a caseworker opens in a spreadsheet: CSV (UTF-8 with BOM) or XLSX in
the reader's language, no text able to run as a formula.

The file is written whole to a temporary file before the answer starts, then sent in chunks:
memory holds one line of the service's stream at a time, and a service failing on the way is an
error page rather than a download cut short.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from portal.domain.accounts import Language
from portal.web import wording
from portal.web.messages import translate
from supportmatch_core import xlsxfiles
from supportmatch_core.csvfiles import csv_header, csv_line

_CHUNK = 64 * 1024
# The columns of an export, in order: each a message key for its heading.
COLUMNS = (
    "uscc", "name", "province", "city", "industry", "size_class", "ownership", "status", "missing",
    "evaluated_on",
)  # fmt: skip


def headings(language: Language) -> list[str]:
    return [translate(f"queue.column.{column}", language) for column in COLUMNS]


def cells(item: dict[str, Any], language: Language) -> list[str]:
    """One firm of the queue as the export's cells, each as the page shows it."""
    joiner = ", " if language == "en" else "、"
    missing = joiner.join(
        fact["label_en" if language == "en" else "label_zh"] for fact in item["missing_facts"]
    )
    return [
        item["uscc"],
        item["name"] or "",
        wording.value("province_code", item["province_code"], language),
        item["city"] or "",
        wording.value("industry_code", item["industry_code"], language),
        wording.value("size_class", item["size_class"], language) if item["size_class"] else "",
        wording.value("ownership", item["ownership"], language) if item["ownership"] else "",
        translate(f"status.{item['status']}", language),
        missing,
        item["evaluated_on"],
    ]


def write_csv(rows: Iterable[dict[str, Any]], language: Language, file: IO[bytes]) -> None:
    """Every text cell made inert (a leading ' before =, +, -, @)."""
    file.write(csv_header(headings(language)).encode())
    for item in rows:
        file.write(csv_line(cells(item, language)).encode())


REACH_COLUMNS = ("change", "uscc", "name", "province", "city", "size_class", "ownership")


def write_reach_csv(
    rows: Iterable[tuple[str, dict[str, Any]]], language: Language, file: IO[bytes]
) -> None:
    """The firms a draft gains and loses: (group, firm) pairs, each firm on one line."""
    file.write(
        csv_header([translate(f"admin.column.{c}", language) for c in REACH_COLUMNS]).encode()
    )
    for group, firm in rows:
        line = [
            translate(f"admin.group.{group}", language),
            firm["uscc"],
            firm["name"] or "",
            wording.value("province_code", firm["province"], language),
            firm["city"] or "",
            wording.value("size_class", firm["size"], language) if firm["size"] else "",
            wording.value("ownership", firm["ownership"], language) if firm["ownership"] else "",
        ]
        file.write(csv_line(line).encode())


def write_xlsx(
    rows: Iterable[dict[str, Any]], language: Language, title: str, file: IO[bytes]
) -> None:
    """Every cell stored as text, never as a formula, number or link, so a name starting with
    = or - shows as written."""
    lines = itertools.chain([headings(language)], (cells(item, language) for item in rows))
    xlsxfiles.write_xlsx(lines, file, sheet=title)


def written(write: Any, *arguments: Any) -> Iterator[bytes]:
    """Run `write(*arguments, file)` into a temporary file now, then yield the file in chunks
    (the file is removed when the last chunk is sent, or the answer is abandoned)."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the generator below
    try:
        write(*arguments, file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return _chunks(file)


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    with file:
        while chunk := file.read(_CHUNK):
            yield chunk
