"""Cheap size checks of a roster workbook, made BEFORE openpyxl reads any of it.

An .xlsx is a zip of XML files. openpyxl loads the shared-strings table whole and the
validator works row by row, so a file that is too big must be refused from what the zip
itself declares (each member's unpacked size) and from a byte-level count of the sheet's
rows that stops at the limit — never by parsing it first.

Python's zipfile never returns more bytes than a member's declared `file_size`, so the
sizes in `infolist()` bound what any later reader gets, however the member was compressed.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings

from apps.roster.parsing import SHEET

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS = "xl/sharedStrings.xml"
# workbook.xml and its relationships list sheets and names only; a real one is a few KB.
SMALL_PART_LIMIT = 1024 * 1024
# openpyxl keeps the whole shared-strings table in memory as Python strings (several times
# its XML size); a 50,000-row roster needs a few MB of it.
SHARED_STRINGS_LIMIT = 64 * 1024 * 1024
DIMENSION_HEAD = 64 * 1024  # <dimension> comes before the rows, in the first few hundred bytes
CHUNK = 1024 * 1024
_TAG_TAIL_LIMIT = 64 * 1024

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*[\"']([A-Za-z$0-9:]+)[\"']")
_LAST_ROW = re.compile(rb"[A-Za-z$]*\$?(\d+)$")
# a <row …> start tag, with or without a namespace prefix; group 1 is "/" for an empty <row/>
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?:\s[^<>]*?)?(/?)>")


class NotAWorkbook(Exception):
    """The zip is not an .xlsx workbook (no workbook part or no sheet)."""


class TooLarge(Exception):
    """Unpacked, the workbook (or its shared strings) exceeds the limit."""


@dataclass(frozen=True)
class SheetInfo:
    member: str  # the roster sheet's path inside the zip
    declared_rows: int | None  # data rows per <dimension ref=…> (header excluded); None when absent


def max_rows() -> int:
    return settings.ROSTER_MAX_ROWS


def max_unpacked_bytes() -> int:
    return settings.ROSTER_MAX_UNPACKED_BYTES


def inspect_archive(archive: zipfile.ZipFile) -> SheetInfo:
    """Zip-level checks only (member sizes, the workbook's sheet list, the sheet's first
    bytes): fast enough for the upload request, whatever the file claims to contain."""
    infos = {info.filename: info for info in archive.infolist()}
    if sum(info.file_size for info in infos.values()) > max_unpacked_bytes():
        raise TooLarge()
    shared = infos.get(SHARED_STRINGS)
    if shared is not None and shared.file_size > SHARED_STRINGS_LIMIT:
        raise TooLarge()
    member = _roster_sheet_member(archive, infos)
    return SheetInfo(member=member, declared_rows=_declared_rows(archive, member))


def _small_xml(archive: zipfile.ZipFile, infos: dict, name: str):
    info = infos.get(name)
    if info is None or info.file_size > SMALL_PART_LIMIT:
        raise NotAWorkbook(name)
    try:
        return ElementTree.fromstring(archive.read(info))
    except (ElementTree.ParseError, DefusedXmlException, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise NotAWorkbook(name) from exc


def _roster_sheet_member(archive: zipfile.ZipFile, infos: dict) -> str:
    """The member openpyxl will read as the roster: the sheet named 生源, else the first."""
    workbook = _small_xml(archive, infos, WORKBOOK)
    sheets = workbook.findall(f"{_NS_MAIN}sheets/{_NS_MAIN}sheet")
    if not sheets:
        raise NotAWorkbook("no sheet")
    chosen = next((s for s in sheets if s.get("name") == SHEET), sheets[0])
    rel_id = chosen.get(f"{_NS_REL}id")
    rels = _small_xml(archive, infos, WORKBOOK_RELS)
    for rel in rels.findall(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target") or ""
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            if member in infos:
                return member
            break
    raise NotAWorkbook("sheet part missing")


def _declared_rows(archive: zipfile.ZipFile, member: str) -> int | None:
    try:
        with archive.open(member) as fh:
            head = fh.read(DIMENSION_HEAD)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise NotAWorkbook(member) from exc
    match = _DIMENSION.search(head)
    if match is None:
        return None
    last = _LAST_ROW.search(match.group(1).split(b":")[-1])
    return max(0, int(last.group(1)) - 1) if last else None


def count_rows(archive: zipfile.ZipFile, member: str, *, stop_after: int) -> int:
    """Data rows of the sheet (header excluded) by scanning its XML bytes for <row> start
    tags; stops at the first row beyond `stop_after` (and returns stop_after + 1). Empty <row/> elements do not count;
    rows of styled but empty cells do (they are rare, and deleting them is the fix)."""
    seen = 0
    tail = b""
    with archive.open(member) as fh:
        while True:
            chunk = fh.read(CHUNK)
            buffer = tail + chunk
            if chunk:
                # keep an unfinished tag for the next round
                cut = buffer.rfind(b"<")
                if cut != -1 and buffer.find(b">", cut) == -1:
                    buffer, tail = buffer[:cut], buffer[cut:][-_TAG_TAIL_LIMIT:]
                else:
                    tail = b""
            for match in _ROW_TAG.finditer(buffer):
                if not match.group(1):
                    seen += 1
                    if seen - 1 > stop_after:
                        return seen - 1
            if not chunk:
                return max(0, seen - 1)
