"""Checks an XLSX package before openpyxl opens it: unpacked sizes, DTDs, rows and cell lengths.

openpyxl parses with the standard library's expat, which expands entities, and holds every part
but the worksheets whole in memory; so a small upload could unpack to gigabytes. Everything here
reads the package as a stream, at most one chunk at a time.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

_MB = 1 << 20


class Refused(ValueError):
    """A package over a limit or unsafe to parse; the message says why, in Chinese and English."""


class _PrologRead(Exception):
    """The root element began: there can be no DTD after it."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much an import file may hold once read."""

    rows: int = 200_000  # data rows, the header not counted
    cell_chars: int = 32_767  # Excel's own limit for one cell
    unpacked_bytes: int = 512 * _MB  # every member of an XLSX together, unpacked
    whole_part_bytes: int = 64 * _MB  # one part openpyxl holds whole (all but worksheets)
    members: int = 1_000


def rows_refusal(limits: Limits) -> str:
    return f"表格超过 {limits.rows:,} 行的上限。The sheet has more than {limits.rows:,} rows."


def cell_refusal(limits: Limits, row: int | None = None) -> str:
    if row is None:
        return (
            f"表格中有单元格超过 {limits.cell_chars:,} 个字符的上限。"
            f"A cell is longer than {limits.cell_chars:,} characters."
        )
    return (
        f"第 {row} 行有单元格超过 {limits.cell_chars:,} 个字符的上限。"
        f"A cell in row {row} is longer than {limits.cell_chars:,} characters."
    )


def check(path: Path, limits: Limits) -> int:
    """The most data rows of any worksheet; raises Refused when a limit is passed or a DTD found."""
    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
            if len(members) > limits.members:
                raise Refused(
                    f"文件包含 {len(members):,} 个部件，超过 {limits.members:,} 的上限。"
                    f"The workbook has {len(members):,} parts, more than {limits.members:,}."
                )
            unpacked = sum(member.file_size for member in members)
            if unpacked > limits.unpacked_bytes:
                raise Refused(
                    f"文件解压后为 {unpacked / _MB:,.0f} MB，超过 {limits.unpacked_bytes / _MB:,.0f} MB"
                    f" 的上限。The workbook unpacks to {unpacked / _MB:,.0f} MB, more than "
                    f"{limits.unpacked_bytes / _MB:,.0f} MB."
                )
            return max((_check_member(package, m, limits) for m in members), default=0)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as error:
        raise Refused(
            f"文件不是可读的 XLSX 工作簿。Not a readable XLSX workbook ({error})."
        ) from error
    except (RuntimeError, NotImplementedError) as error:  # encrypted, or an unknown compression
        raise Refused(f"文件无法解压。The workbook cannot be unpacked ({error}).") from error


def _check_member(package: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> int:
    """The data rows of `member` if it is a worksheet, 0 if it is another part or not XML."""
    root = _root(package, member)
    if root is None:
        return 0  # pictures and other binary parts, which openpyxl does not parse as XML
    worksheet = root == "worksheet"
    if not worksheet and member.file_size > limits.whole_part_bytes:
        raise Refused(
            f"部件 {member.filename} 解压后超过 {limits.whole_part_bytes / _MB:,.0f} MB 的上限。"
            f"The part {member.filename} unpacks to more than "
            f"{limits.whole_part_bytes / _MB:,.0f} MB."
        )
    return _scan(package, member, limits, count_rows=worksheet)


def _root(package: zipfile.ZipFile, member: zipfile.ZipInfo) -> str | None:
    """The local name of the root element, read from the prolog only; a DTD is refused there."""
    parser = expat.ParserCreate(namespace_separator=" ")
    found: list[str] = []

    def declared(_version: str, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.lower().replace("-", "") != "utf8":
            raise Refused(
                f"部件 {member.filename} 不是 UTF-8 编码。"
                f"The part {member.filename} is not encoded in UTF-8 ({encoding})."
            )

    def doctype(*_: object) -> None:
        raise Refused(
            f"部件 {member.filename} 含有 DTD 声明，为安全起见不予读取。"
            f"The part {member.filename} declares a DTD, which is not read for safety."
        )

    def element(name: str, _attributes: object) -> None:
        found.append(name.rpartition(" ")[2])
        raise _PrologRead

    parser.XmlDeclHandler = declared
    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    with package.open(member) as stream:
        head = stream.read(_MB)
        if head.lstrip(b"\xff\xfe").startswith((b"<\x00", b"\x00<")):  # UTF-16, which expat reads
            raise Refused(
                f"部件 {member.filename} 不是 UTF-8 编码。"
                f"The part {member.filename} is not encoded in UTF-8."
            )
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return None
        chunk = head
        try:
            while chunk:
                parser.Parse(chunk, False)
                chunk = stream.read(_MB)
            parser.Parse(b"", True)
        except _PrologRead:
            return found[0]
        except expat.ExpatError:
            return None  # not XML: openpyxl fails on it too, the same way, before any entity
    return None


def _scan(
    package: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits, *, count_rows: bool
) -> int:
    """Count a worksheet's rows and find text too long for a cell, bytes only, chunk by chunk.

    A cell's text holds no '<', and a character of it takes at most six bytes (in UTF-8, or as an
    entity such as &quot;): a stretch of `window` bytes without '<' is longer than a cell may be.
    Windows are aligned to the stream, so any stretch twice as long contains a whole one.
    """
    window = limits.cell_chars * 6
    rows, tail = 0, b""
    with package.open(member) as stream:
        while chunk := stream.read(window * max(1, _MB // window)):
            for start in range(0, len(chunk) - window + 1, window):
                if chunk.find(b"<", start, start + window) == -1:
                    raise Refused(cell_refusal(limits))
            if count_rows:
                # Rows end with </row> (or </x:row>); a <row> without attributes also ends in
                # row>. The tail of the chunk before finds those the chunks cut in two.
                rows += (tail[1:] + chunk).count(b"row>") - (tail + chunk).count(b"<row>")
                tail = chunk[-4:]
                if rows > limits.rows + 1:
                    raise Refused(rows_refusal(limits))
    return max(rows - 1, 0)
