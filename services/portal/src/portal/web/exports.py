"""The work queue as a file a caseworker opens in a spreadsheet: CSV (UTF-8 with BOM) or XLSX,
written while the rows arrive, in the reader's language, every text kept from running as a formula."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

from portal.domain.accounts import Language
from portal.domain.queue import EXPORT_COLUMNS
from portal.web import wording
from portal.web.messages import translate
from supportmatch_core.csvfiles import csv_header, csv_line, inert

_CHUNK = 64 * 1024


def headings(language: Language) -> list[str]:
    return [translate(f"queue.column.{column}", language) for column in EXPORT_COLUMNS]


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


def csv_stream(rows: Iterable[dict[str, Any]], language: Language) -> Iterator[bytes]:
    """The CSV file in chunks: memory holds one chunk and the service's current page."""
    buffer = [csv_header(headings(language))]
    size = len(buffer[0])
    for item in rows:
        line = csv_line(cells(item, language))
        buffer.append(line)
        size += len(line)
        if size >= _CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    yield "".join(buffer).encode()


def xlsx_stream(rows: Iterable[dict[str, Any]], language: Language, title: str) -> Iterator[bytes]:
    """The XLSX file: openpyxl's write-only sheet keeps rows on disk, then the file is read back
    in chunks, so memory stays flat however long the list."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(headings(language))
    for item in rows:
        sheet.append([inert(cell) for cell in cells(item, language)])
    with tempfile.TemporaryFile() as file:
        book.save(file)
        file.seek(0)
        while chunk := file.read(_CHUNK):
            yield chunk
