"""Hostile import files, built in memory: a zip bomb, entity expansion, a million rows, a 10 MB cell.

Used by tests/security/test_spreadsheets.py and bench/hostile.py alike.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence

MB = 1 << 20
HEADER = "uscc,name,province,industry,ownership"
_SHEET = "xl/worksheets/sheet1.xml"
_TYPES, _STRINGS = "[Content_Types].xml", "xl/sharedStrings.xml"
_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(rows: Sequence[Sequence[object]]) -> bytes:
    """An XLSX file written by openpyxl with `rows` on its first sheet."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_part(xlsx: bytes, name: str, content: bytes) -> bytes:
    """`xlsx` with the part `name` replaced by (or added as) `content`."""
    source, buffer = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            if member.filename != name:
                target.writestr(member, source.read(member))
        target.writestr(name, content)
    return buffer.getvalue()


def _sheet(body: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{_MAIN}">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def _cells(number: int, *texts: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for i, text in enumerate(texts)
    )
    return f'<row r="{number}">{cells}</row>'


def billion_laughs() -> bytes:
    """Ten nested entities of ten each: a billion "lol"s (3 GB) from a sheet of 1 KB."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = _cells(1, *HEADER.split(",")) + _cells(2, "&lol9;")
    return with_part(workbook([]), _SHEET, _sheet(body, f"<!DOCTYPE lolz [{entities}]>"))


def external_entity() -> bytes:
    """A sheet that asks the parser to read a file of the server into a cell."""
    body = _cells(1, *HEADER.split(",")) + _cells(2, "&secret;")
    prolog = '<!DOCTYPE sheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    return with_part(workbook([]), _SHEET, _sheet(body, prolog))


def zip_bomb(unpacked_mb: int = 600) -> bytes:
    """A valid XLSX whose shared strings (which openpyxl holds whole) unpack to `unpacked_mb` MB
    of one-letter strings from about a kilobyte a megabyte.

    The part is one deflate block of a megabyte of <si> elements, repeated (each block flushed,
    so each stands alone), with the true size and CRC in the headers: it unpacks as it says.
    """
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode()
    unit, tail = b"<si><t>a</t></si>" * (MB // 17), b"</sst>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = start + block * unpacked_mb + compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(unpacked_mb):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(unit) * unpacked_mb + len(tail)
    base = workbook([HEADER.split(",")])
    types = zipfile.ZipFile(io.BytesIO(base)).read(_TYPES).replace(b"</Types>", _STRINGS_TYPE)
    return _add_deflated(with_part(base, _TYPES, types), _STRINGS, data, crc, size)


def _add_deflated(xlsx: bytes, name: str, data: bytes, crc: int, size: int) -> bytes:
    """`xlsx` with one more member whose deflated bytes are given as they are."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out, central = io.BytesIO(), []
    members = [(m.filename, source.read(m)) for m in source.infolist()]
    for member_name, content in members:
        packed = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = packed.compress(content) + packed.flush()
        central.append(_write(out, member_name, deflated, zlib.crc32(content), len(content)))
    central.append(_write(out, name, data, crc, size))
    start = out.tell()
    for record in central:
        out.write(record)
    directory = out.tell() - start
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), directory, start, 0)
    )
    return out.getvalue()


def _write(out: io.BytesIO, name: str, data: bytes, crc: int, size: int) -> bytes:
    """Write a local header and `data`; return the central directory record of the member."""
    encoded, offset = name.encode(), out.tell()
    fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
    out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + data)
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset) + encoded


def million_rows_xlsx(rows: int = 1_000_000) -> bytes:
    """A sheet of a header and `rows` one-cell rows, about 5 MB packed."""
    body = _cells(1, *HEADER.split(",")) + "".join(_cells(n, "x") for n in range(2, rows + 2))
    return with_part(workbook([]), _SHEET, _sheet(body))


def million_rows_csv(rows: int = 1_000_000) -> bytes:
    """A CSV of a header and `rows` short rows (6 MB)."""
    return (HEADER + "\n" + "x,,,,\n" * rows).encode()


def big_cell_csv(size_mb: int = 10) -> bytes:
    """A CSV whose one row has a name of `size_mb` MB."""
    return (
        f"{HEADER}\n91440300MA5FXXXX0X,{'名' * (size_mb * MB // 3)},44,C3921,private\n"
    ).encode()


def big_cell_xlsx(size_mb: int = 10) -> bytes:
    """A sheet whose one row has an inline name of `size_mb` MB."""
    body = _cells(1, *HEADER.split(",")) + _cells(
        2, "91440300MA5FXXXX0X", "名" * (size_mb * MB // 3)
    )
    return with_part(workbook([]), _SHEET, _sheet(body))


HOSTILE: dict[str, tuple[str, Callable[[], bytes]]] = {
    "zip bomb (600 MB of shared strings)": ("bomb.xlsx", zip_bomb),
    "billion laughs (DTD entities)": ("laughs.xlsx", billion_laughs),
    "external entity (DTD)": ("xxe.xlsx", external_entity),
    "1,000,000 rows (XLSX)": ("rows.xlsx", million_rows_xlsx),
    "1,000,000 rows (CSV)": ("rows.csv", million_rows_csv),
    "10 MB cell (XLSX)": ("cell.xlsx", big_cell_xlsx),
    "10 MB cell (CSV)": ("cell.csv", big_cell_csv),
}
"""Each hostile case by name: (file name, builder)."""
