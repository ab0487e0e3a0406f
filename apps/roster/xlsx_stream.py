"""A streaming reader of the roster sheet (生源工作表) of an .xlsx upload: the same rows as
openpyxl's read-only mode gives, at a fraction of the CPU.

Why: validating a 50,000-row roster spent 35–45 s of CPU, most of it in openpyxl turning
1,050,000 cells of sheet XML into cell objects (bench/README.md, roster section). Here lxml's
C iterparse walks the worksheet part once, row by row, and only the values the validator needs
are built: the shared-strings table, the few date styles of styles.xml and the workbook's date
system are read first, each cell is turned into the value openpyxl would give for it (the
conversions below are openpyxl's own helpers, so the two readers agree by construction; the
tests in tests/roster/test_xlsx_stream.py compare them row by row).

Security, as with openpyxl + defusedxml: the parts are read with ``resolve_entities=False``,
``no_network=True``, ``huge_tree=False``; a part that declares a DTD is refused. Sizes were
bounded before (apps/roster/limits.py: declared member sizes, the shared strings, the row
count), and zipfile never hands out more than a member's declared size.

What is not like openpyxl: openpyxl's read-only mode trusts the sheet's ``<dimension>`` and
drops rows and columns beyond it; this reader reads every row and cell that is there (a
stale dimension would otherwise hide rows the row-count limit has counted).

Anything unusual about the package (no worksheet where the sheet should be, a chart sheet,
parts missing, names it cannot resolve) makes ``open_roster_sheet`` fall back to openpyxl
(apps/roster/parsing.py ``RosterSheet``), with a log line saying why.
"""

from __future__ import annotations

import itertools
import logging
import posixpath
import re
import zipfile
from collections.abc import Iterator

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE, builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.worksheet._reader import _cast_number

from apps.roster import limits
from apps.roster.parsing import COLUMNS, SHEET, RawRow, UnreadableFile, _header_key

logger = logging.getLogger(__name__)

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_ROW, _C, _V, _IS, _T, _R, _SI = (f"{_NS}{t}" for t in ("row", "c", "v", "is", "t", "r", "si"))
_RT = f"{_R}/{_T}"  # the text of a rich-text run (phonetic runs, <rPh>, are left out as openpyxl does)
_WORKSHEET_REL = "/worksheet"
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_CONTENT_TYPES = "[Content_Types].xml"
_STYLES = "xl/styles.xml"  # openpyxl reads the stylesheet from this fixed path too
_DIGITS = "0123456789"
_COLUMN_LETTERS = re.compile(r"^[A-Z]{1,3}$")


class Unsupported(Exception):
    """Something this reader does not handle: the caller reads the file with openpyxl."""


def _parser_options() -> dict:
    return {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}


def _refuse_dtd(element) -> None:
    if element.getroottree().docinfo.internalDTD is not None:
        # defusedxml (openpyxl's parser here) refuses these too
        raise UnreadableFile("DTD in a workbook part")


def _small(archive: zipfile.ZipFile, infos: dict, name: str):
    info = infos.get(name)
    if info is None or info.file_size > limits.SMALL_PART_LIMIT:
        raise Unsupported(f"{name} missing or too large")
    parser = etree.XMLParser(**_parser_options())
    try:
        root = etree.fromstring(archive.read(info), parser)
    except etree.XMLSyntaxError as exc:
        raise Unsupported(f"{name}: {exc}") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise UnreadableFile(f"DTD in {name}")
    return root


def _column_index(letters: str, cache: dict[str, int]) -> int:
    index = cache.get(letters)
    if index is None:
        if not _COLUMN_LETTERS.match(letters):
            raise ValueError(f"bad cell reference {letters!r}")
        index = 0
        for char in letters:
            index = index * 26 + ord(char) - 64
        cache[letters] = index
    return index


def _text_content(node) -> str:
    """openpyxl's Text.content: the plain <t> plus the runs' <t>, phonetic runs left out."""
    plain = node.find(_T)
    parts = [plain.text or ""] if plain is not None else []
    parts.extend(t.text or "" for t in node.iterfind(_RT))
    return "".join(parts)


class StreamingRosterSheet:
    """Same interface as parsing.RosterSheet: positions, missing, duplicated, estimated_rows,
    rows(), close()."""

    reader = "stream"

    def __init__(self, fileobj):
        try:
            self.archive = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise Unsupported(f"not a zip: {exc}") from None
        try:
            self._open()
        except BaseException:
            self.archive.close()
            raise

    # --- the package around the sheet
    def _open(self) -> None:
        archive = self.archive
        infos = {info.filename: info for info in archive.infolist()}
        self.member = self._sheet_member(infos)
        self.epoch = self._epoch(infos)
        self.date_styles, self.timedelta_styles = self._date_styles(infos)
        self.shared_strings = self._shared_strings(infos)
        head_rows = self._declared_rows()
        self.estimated_rows = max(0, head_rows) if head_rows is not None else 0
        self.positions: dict[str, int] = {}
        self.missing: list[str] = []
        self.duplicated: list[str] = []
        self._source = archive.open(self.member)
        self._rows = self._parse_rows()
        self._pending: tuple[int, dict[int, object]] | None = None
        first = next(self._rows, None)
        header: dict[int, object] = {}
        if first is not None:
            if first[0] == 1:
                header = first[1]
            else:
                self._pending = first  # no row 1 in the file: a blank header, the rows follow
        self._read_header(header)

    def _sheet_member(self, infos: dict) -> str:
        """The sheet openpyxl reads: the one named 生源, else the first worksheet."""
        workbook = _small(self.archive, infos, limits.WORKBOOK)
        self._workbook = workbook
        sheets = workbook.findall(f"{_NS}sheets/{_NS}sheet")
        if not sheets:
            raise Unsupported("no sheet")
        rels = _small(self.archive, infos, limits.WORKBOOK_RELS)
        targets = {}
        for rel in rels.findall(f"{_NS_PKG_REL}Relationship"):
            targets[rel.get("Id")] = (rel.get("Type") or "", rel.get("Target") or "")
        named = [s for s in sheets if s.get("name") == SHEET]
        chosen = named[0] if named else sheets[0]
        kind, target = targets.get(chosen.get(f"{_NS_REL}id"), ("", ""))
        if not kind.endswith(_WORKSHEET_REL):
            # a chart sheet first (openpyxl would skip to the first worksheet), or a broken link
            raise Unsupported(f"sheet relationship {kind or 'missing'}")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if member not in infos:
            raise Unsupported("sheet part missing")
        return member

    def _epoch(self, infos: dict):
        properties = self._workbook.find(f"{_NS}workbookPr")
        flag = (properties.get("date1904") if properties is not None else None) or ""
        return CALENDAR_MAC_1904 if flag.lower() in ("1", "true") else WINDOWS_EPOCH

    def _date_styles(self, infos: dict) -> tuple[frozenset[int], frozenset[int]]:
        """Indexes of cellXfs whose number format is a date (timedelta) one, decided exactly
        as openpyxl's Stylesheet._normalise_numbers does."""
        if _STYLES not in infos:
            return frozenset(), frozenset()
        styles = _small(self.archive, infos, _STYLES)
        custom = {}
        for fmt in styles.iterfind(f"{_NS}numFmts/{_NS}numFmt"):
            try:
                custom[int(fmt.get("numFmtId"))] = fmt.get("formatCode")
            except (TypeError, ValueError):
                raise Unsupported("odd number format") from None
        dates, deltas = set(), set()
        for index, xf in enumerate(styles.iterfind(f"{_NS}cellXfs/{_NS}xf")):
            try:
                number_format = int(xf.get("numFmtId", 0))
            except ValueError:
                raise Unsupported("odd cell style") from None
            if number_format in custom:
                code = custom[number_format]
                if code in BUILTIN_FORMATS_REVERSE:
                    code = builtin_format_code(BUILTIN_FORMATS_REVERSE[code])
            else:
                code = builtin_format_code(number_format)
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                deltas.add(index)
        return frozenset(dates), frozenset(deltas)

    def _shared_strings(self, infos: dict) -> list[str]:
        types = _small(self.archive, infos, _CONTENT_TYPES)
        part = None
        for override in types.iterfind(f"{_NS_CT}Override"):
            if override.get("ContentType") == _SHARED_STRINGS_TYPE:
                part = (override.get("PartName") or "")[1:]
                break
        if part is None:
            return []
        info = infos.get(part)
        if info is None or info.file_size > limits.SHARED_STRINGS_LIMIT:
            raise Unsupported("shared strings missing or too large")
        strings: list[str] = []
        with self.archive.open(info) as source:
            iterator = etree.iterparse(source, events=("end",), tag=_SI, **_parser_options())
            checked = False
            for _event, node in iterator:
                if not checked:
                    _refuse_dtd(node)
                    checked = True
                # openpyxl.reader.strings.read_string_table drops the escape marker likewise
                strings.append(_text_content(node).replace("x005F_", ""))
                node.clear()
                while node.getprevious() is not None:
                    del node.getparent()[0]
        return strings

    def _declared_rows(self) -> int | None:
        with self.archive.open(self.member) as fh:
            head = fh.read(limits.DIMENSION_HEAD)
        match = limits._DIMENSION.search(head)
        if match is None:
            return None
        last = limits._LAST_ROW.search(match.group(1).split(b":")[-1])
        return int(last.group(1)) - 1 if last else None

    # --- the sheet
    def _parse_rows(self) -> Iterator[tuple[int, dict[int, object]]]:
        """(row number, {column number: value}) for every <row> in the sheet, in file order."""
        shared = self.shared_strings
        dates, deltas, epoch = self.date_styles, self.timedelta_styles, self.epoch
        columns: dict[str, int] = {}
        iterator = etree.iterparse(self._source, events=("end",), tag=_ROW, **_parser_options())
        row_number = 0
        checked = False
        try:
            for _event, row in iterator:
                if not checked:
                    _refuse_dtd(row)
                    checked = True
                number = row.get("r")
                if number is not None:
                    try:
                        row_number = int(number)
                    except ValueError:
                        as_float = float(number)
                        if not as_float.is_integer():
                            raise UnreadableFile("bad row number") from None
                        row_number = int(as_float)
                else:
                    row_number += 1
                values: dict[int, object] = {}
                column = 0
                for cell in row.iterchildren(_C):
                    reference = cell.get("r")
                    if reference:
                        column = _column_index(reference.rstrip(_DIGITS).lstrip("$").upper(), columns)
                    else:
                        column += 1
                    kind = cell.get("t", "n")
                    # children by iteration, not find(): lxml's find runs its path engine in Python
                    if kind == "inlineStr":
                        value = None
                        for inline in cell:
                            if inline.tag == _IS:
                                if len(inline) == 1 and inline[0].tag == _T:
                                    value = inline[0].text or ""  # the usual <is><t>…</t></is>
                                else:
                                    value = _text_content(inline)
                                break
                        values[column] = value
                        continue
                    value = None
                    for child in cell:
                        if child.tag == _V:
                            value = child.text or None
                            break
                    if value is not None:
                        if kind == "n":
                            value = _cast_number(value)
                            style = int(cell.get("s") or 0)
                            if style in dates:
                                try:
                                    value = from_excel(value, epoch, timedelta=style in deltas)
                                except (OverflowError, ValueError):
                                    value = "#VALUE!"  # as openpyxl: an out-of-range date is an error
                        elif kind == "s":
                            value = shared[int(value)]
                        elif kind == "b":
                            value = bool(int(value))
                        elif kind == "d":
                            value = from_ISO8601(value)
                        # "str" (a formula's text), "e" (an error such as #N/A): the text as is
                    values[column] = value
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
                yield row_number, values
        except etree.XMLSyntaxError as exc:
            raise UnreadableFile(f"sheet XML: {exc}") from None
        except (IndexError, ValueError) as exc:  # a shared-string index or a number that is not one
            raise UnreadableFile(f"sheet cell: {exc}") from None

    def _read_header(self, header: dict[int, object]) -> None:
        by_header = {c.header: c for c in COLUMNS}
        for column_number in sorted(header):
            column = by_header.get(_header_key(header[column_number]))
            if column is None:
                continue
            if column.field in self.positions:
                self.duplicated.append(column.header)
                continue
            self.positions[column.field] = column_number - 1
        self.missing = [c.header for c in COLUMNS if c.required and c.field not in self.positions]

    def rows(self) -> Iterator[RawRow]:
        wanted = [(field, index + 1) for field, index in self.positions.items()]
        pending, self._pending = self._pending, None
        source = self._rows if pending is None else itertools.chain((pending,), self._rows)
        expected = 2
        for number, cells in source:
            if number < expected:
                continue  # row 1 again, or a row out of order: openpyxl skips these too
            expected = number + 1
            yield RawRow(number, {field: cells.get(n) for field, n in wanted})

    def close(self) -> None:
        self._rows.close()
        self._source.close()
        self.archive.close()


def open_sheet(fileobj):
    """The roster sheet of an uploaded workbook: streamed when the package is as expected,
    else read by openpyxl (logged, without any cell content)."""
    from apps.roster.parsing import RosterSheet

    try:
        return StreamingRosterSheet(fileobj)
    except Unsupported as exc:
        logger.warning("roster sheet read with openpyxl instead of the streaming reader: %s", exc)
    fileobj.seek(0)
    return RosterSheet(fileobj)
