"""就业方案核对: a 就业方案 file (the national layout, e.g. one exported here and edited, or one
downloaded from the national system) compared row by row with the platform.

For each file row matched by 学号 (within the school, the cohort and — for college staff or a
chosen college — the college): which cells differ (column, file value, platform value); file rows
with no such graduate; graduates of the cohort missing from the file. Nothing is stored or
changed apart from the audit entry and the report kept for its download (cache, encrypted, one
hour, readable only by the person who made it).

Bounded input, refused before any parsing (the roster's approach, apps/roster/limits.py): the
upload's size, the zip members' declared unpacked sizes (zip bombs), the shared-strings size and
a byte-level count of the sheet's rows that stops at the limit (``ROSTER_MAX_ROWS``). Then the
sheet is read by a small lxml iterparse reader (entities off, no network, DTDs refused): at
20,000 rows × 39 columns openpyxl spends several times the CPU building cell objects.

Formula-looking cells (= + - @ at the start) are read and compared as text — never evaluated —
listed in the report with a note, and shown neutralised (``exports.safe_cell``). A value this
platform's export neutralised (a leading apostrophe before = + - @) is compared without the
apostrophe, so an unchanged export round-trips to an empty report.
"""
from __future__ import annotations

import base64
import json
import logging
import posixpath
import secrets
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from lxml import etree
from openpyxl.utils.datetime import from_excel

from apps.accounts.permissions import REVIEWERS, require_role
from apps.audit.services import audit_record
from apps.core import crypto
from apps.core.errors import DomainError
from apps.core.exports import FORMULA_TRIGGERS, NEUTRALISING_PREFIX, Column, XlsxBook, safe_cell
from apps.registry.national import EXPORT_HEADERS
from apps.registry.national_export import (
    SHEET_TITLE,
    cohort_graduates,
    export_values,
    resolve_filters,
)
from apps.roster import limits

logger = logging.getLogger(__name__)

NO_FILE = "请选择要核对的就业方案文件（.xlsx）"
TOO_LARGE = "文件过大：不能超过{limit}MB"
NOT_XLSX = "文件不是有效的Excel（.xlsx）文件，请上传就业方案导出文件"
OLD_XLS = "不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx后上传"
TOO_LARGE_UNPACKED = "文件解压后过大，请按院系拆分后分别核对"
TOO_MANY_ROWS = "文件超过{limit}行，请按院系拆分后分别核对"
WRONG_SHEET = "文件中没有名为“{expected}”的工作表（文件中的工作表：{found}），请上传就业方案导出文件"
BAD_HEADERS = "表头与就业方案格式不一致：{details}。请使用本平台导出的就业方案文件"
UNREADABLE = "文件内容无法读取，请在Excel中另存为.xlsx后重新上传"
NO_ROWS = "文件中没有数据行"
FORMULA_NOTE = "以“{mark}”开头，按文本核对，未作为公式计算"
REPORT_GONE = "差异报告已过期（保留1小时），请重新上传文件核对"

KEY = "学号"
LEVEL = "学历层次"
NAME = "姓名"
DATE_HEADERS = frozenset({"出生日期", "签约日期", "毕业日期"})
MONTH_HEADERS = frozenset({"入学年月"})
_INDEX = {header: i for i, header in enumerate(EXPORT_HEADERS)}
_MARKS = frozenset(NEUTRALISING_PREFIX + "".join(FORMULA_TRIGGERS))
KEEP_LIMIT = 20_000  # entries of each list kept for the Excel report (counts stay exact)
REPORT_SECONDS = 3600

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_ROW, _C, _V, _F, _IS, _T, _R, _SI = (f"{_NS}{t}" for t in ("row", "c", "v", "f", "is", "t", "r", "si"))
_DIGITS = "0123456789"
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


class Unreadable(Exception):
    """The package or the sheet XML is broken."""


# --- the report ------------------------------------------------------------------------------

@dataclass
class CellDifference:
    row_number: int
    student_number: str
    name: str
    column: str
    file_value: str
    platform_value: str


@dataclass
class ExtraRow:
    row_number: int
    student_number: str
    name: str
    reason: str


@dataclass
class MissingGraduate:
    student_number: str
    name: str
    college: str


@dataclass
class FormulaCell:
    row_number: int
    column: str
    value: str
    note: str


@dataclass
class CheckReport:
    cohort: int
    school: str
    college: str
    file_name: str
    file_rows: int = 0
    matched_rows: int = 0
    differing_rows: int = 0
    difference_count: int = 0
    extra_count: int = 0
    missing_count: int = 0
    formula_count: int = 0
    differences: list[CellDifference] = field(default_factory=list)
    extras: list[ExtraRow] = field(default_factory=list)
    missing: list[MissingGraduate] = field(default_factory=list)
    formulas: list[FormulaCell] = field(default_factory=list)
    token: str = ""

    @property
    def no_difference(self) -> bool:
        return not (self.difference_count or self.extra_count or self.missing_count)

    @property
    def summary(self) -> str:
        if self.no_difference:
            return f"无差异：文件{self.file_rows}行与平台{self.matched_rows}名毕业生的数据完全一致"
        return (f"发现差异：{self.differing_rows}行共{self.difference_count}处不一致，"
                f"文件中有{self.extra_count}行在平台中找不到，平台中有{self.missing_count}名毕业生不在文件中")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> CheckReport:
        lists = {"differences": CellDifference, "extras": ExtraRow, "missing": MissingGraduate,
                 "formulas": FormulaCell}
        values = {k: v for k, v in data.items() if k not in lists}
        report = cls(**values)
        for name, kind in lists.items():
            setattr(report, name, [kind(**item) for item in data.get(name, [])])
        return report


def _keep(items: list, item) -> None:
    if len(items) < KEEP_LIMIT:
        items.append(item)


# --- reading the upload ----------------------------------------------------------------------

def _check_upload(uploaded_file) -> None:
    if uploaded_file is None or not getattr(uploaded_file, "size", 0):
        raise DomainError(NO_FILE, fields={"file": NO_FILE})
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if uploaded_file.size > limit:
        message = TOO_LARGE.format(limit=limit // (1024 * 1024))
        raise DomainError(message, code="too_large", fields={"file": message})
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DomainError(OLD_XLS, code="not_xlsx", fields={"file": OLD_XLS})
    if not head.startswith(b"PK\x03\x04"):
        raise DomainError(NOT_XLSX, code="not_xlsx", fields={"file": NOT_XLSX})


def _small_xml(archive: zipfile.ZipFile, infos: dict, name: str):
    info = infos.get(name)
    if info is None or info.file_size > limits.SMALL_PART_LIMIT:
        raise Unreadable(name)
    try:
        return ElementTree.fromstring(archive.read(info))
    except (ElementTree.ParseError, DefusedXmlException, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise Unreadable(name) from exc


def _sheet_member(archive: zipfile.ZipFile, infos: dict) -> str:
    workbook = _small_xml(archive, infos, limits.WORKBOOK)
    sheets = workbook.findall(f"{_NS}sheets/{_NS}sheet")
    chosen = next((s for s in sheets if (s.get("name") or "").strip() == SHEET_TITLE), None)
    if chosen is None:
        found = "、".join((s.get("name") or "（无名）") for s in sheets[:10]) or "无"
        message = WRONG_SHEET.format(expected=SHEET_TITLE, found=found)
        raise DomainError(message, code="wrong_sheet", fields={"file": message})
    rels = _small_xml(archive, infos, limits.WORKBOOK_RELS)
    for rel in rels.findall(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Id") == chosen.get(f"{_NS_REL}id"):
            target = rel.get("Target") or ""
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            if member in infos and (rel.get("Type") or "").endswith("/worksheet"):
                return member
            break
    raise Unreadable("sheet part")


def _parser_options() -> dict:
    return {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}


def _refuse_dtd(iterator) -> None:
    root = getattr(iterator, "root", None)
    if root is not None and root.getroottree().docinfo.internalDTD is not None:
        raise Unreadable("DTD")


def _text(node) -> str:
    if len(node) == 1 and node[0].tag == _T:  # the usual plain string: no runs to join
        return node[0].text or ""
    plain = node.find(_T)
    parts = [plain.text or ""] if plain is not None else []
    parts.extend(t.text or "" for t in node.iterfind(f"{_R}/{_T}"))
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile, infos: dict) -> list[str]:
    types = _small_xml(archive, infos, "[Content_Types].xml")
    part = next(((o.get("PartName") or "")[1:] for o in types.iter(f"{_NS_CT}Override")
                 if o.get("ContentType") == _SHARED_STRINGS_TYPE), None)
    if part is None or part not in infos:
        return []
    strings: list[str] = []
    # one object per distinct text: a writer may list the same text many times (codes, units)
    seen: dict[str, str] = {}
    with archive.open(infos[part]) as source:
        iterator = etree.iterparse(source, events=("end",), tag=_SI, **_parser_options())
        for index, (_event, node) in enumerate(iterator):
            if index == 0:
                _refuse_dtd(iterator)
            text = _text(node).replace("x005F_", "")
            strings.append(seen.setdefault(text, text))
            node.clear()
            while node.getprevious() is not None:
                del node.getparent()[0]
    return strings


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        if not "A" <= char <= "Z":
            raise ValueError("bad cell reference")
        number = number * 26 + ord(char) - 64
    return number


def _raw_rows(archive: zipfile.ZipFile, member: str, shared: list[str]):
    """(row number, {column number: raw value}) per <row>: text as text (a formula cell gives its
    formula, prefixed with '=', never its cached result), numbers as float/int. One pass over
    each cell's children (this loop is most of a check's CPU at 20,000 rows × 39 columns)."""
    columns: dict[str, int] = {}
    with archive.open(member) as source:
        iterator = etree.iterparse(source, events=("end",), tag=_ROW, **_parser_options())
        row_number = 0
        for index, (_event, row) in enumerate(iterator):
            if index == 0:
                _refuse_dtd(iterator)
            number = row.get("r")
            row_number = int(number) if number and number.isdigit() else row_number + 1
            values: dict[int, object] = {}
            column = 0
            for cell in row.iterchildren(_C):
                reference = cell.get("r")
                if reference:
                    letters = reference.rstrip(_DIGITS)
                    column = columns.get(letters) or columns.setdefault(letters, _column_number(letters))
                else:
                    column += 1
                value = formula = inline = None
                for child in cell:
                    tag = child.tag
                    if tag == _V:
                        value = child.text
                    elif tag == _F:
                        formula = child.text
                    elif tag == _IS:
                        inline = child
                if formula:
                    values[column] = "=" + formula
                    continue
                kind = cell.get("t")
                if kind == "s":
                    if value is not None:
                        values[column] = shared[int(value)]
                elif kind == "inlineStr":
                    values[column] = _text(inline) if inline is not None else ""
                elif value is None:
                    continue
                elif kind is None or kind == "n":
                    number_value = float(value)
                    values[column] = int(number_value) if number_value.is_integer() else number_value
                else:  # str, b, e, d: the text as written
                    values[column] = value
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
            yield row_number, values


def _as_text(header: str, value) -> str:
    """A cell as the text the platform's value is compared with."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if header in DATE_HEADERS or header in MONTH_HEADERS:
            try:
                moment = from_excel(value)
            except (OverflowError, ValueError, TypeError):
                return str(value)
            if isinstance(moment, datetime):
                moment = moment.date()
            if isinstance(moment, date):
                return moment.strftime("%Y-%m") if header in MONTH_HEADERS else moment.isoformat()
        return str(value)
    text = str(value).strip()
    if header in DATE_HEADERS and len(text) >= 10 and text[4:5] == "-" and "T" in text[10:11]:
        text = text[:10]  # an ISO date-time cell (t="d")
    return text


@dataclass
class FileRow:
    row_number: int
    # the texts in EXPORT_HEADERS order (a tuple: at 50,000 rows a dict per row would cost
    # tens of MB more), the apostrophe of a neutralised cell removed
    values: tuple[str, ...]

    def get(self, header: str) -> str:
        return self.values[_INDEX[header]]


def _header_map(raw: dict[int, object]) -> dict[str, int]:
    wanted = set(EXPORT_HEADERS)
    positions: dict[str, int] = {}
    unexpected, duplicated = [], []
    for column in sorted(raw):
        header = "" if raw[column] is None else str(raw[column]).strip()
        if not header:
            continue
        if header not in wanted:
            unexpected.append(header)
        elif header in positions:
            duplicated.append(header)
        else:
            positions[header] = column
    missing = [h for h in EXPORT_HEADERS if h not in positions]
    details = []
    if missing:
        details.append("缺少列：" + "、".join(missing))
    if unexpected:
        details.append("多出列：" + "、".join(safe_cell(h) for h in unexpected[:20]))
    if duplicated:
        details.append("重复列：" + "、".join(duplicated))
    if details:
        message = BAD_HEADERS.format(details="；".join(details))
        raise DomainError(message, code="bad_headers", fields={"file": message})
    return positions


def read_national_file(uploaded_file, *, on_formula=None) -> list[FileRow]:
    """The data rows of an uploaded 就业方案 file, or a DomainError with a Chinese message
    (nothing stored). ``on_formula(row_number, header, raw_text)`` hears of formula-looking cells."""
    _check_upload(uploaded_file)
    max_rows = limits.max_rows()
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            if sum(info.file_size for info in infos.values()) > limits.max_unpacked_bytes():
                raise limits.TooLarge()
            shared_info = infos.get(limits.SHARED_STRINGS)
            if shared_info is not None and shared_info.file_size > limits.SHARED_STRINGS_LIMIT:
                raise limits.TooLarge()
            member = _sheet_member(archive, infos)
            if limits.count_rows(archive, member, stop_after=max_rows) > max_rows:
                message = TOO_MANY_ROWS.format(limit=max_rows)
                raise DomainError(message, code="too_many_rows", fields={"file": message})
            shared = _shared_strings(archive, infos)
            rows = _raw_rows(archive, member, shared)
            first = next(rows, None)
            # no row 1 at all: every header is missing
            positions = _header_map(first[1] if first is not None and first[0] == 1 else {})
            result: list[FileRow] = []
            plan = [(h, positions[h], h in DATE_HEADERS or h in MONTH_HEADERS) for h in EXPORT_HEADERS]
            # one object per distinct text (codes, dates, units repeat across thousands of rows)
            seen: dict[str, str] = {}
            for number, raw in rows:
                if number <= 1:
                    continue
                values = []
                for header, column, dated in plan:
                    value = raw.get(column)
                    text = value.strip() if value.__class__ is str and not dated else _as_text(header, value)
                    if text and text[0] in _MARKS:
                        if text[0] == NEUTRALISING_PREFIX:
                            if text[1:].startswith(FORMULA_TRIGGERS):
                                text = text[1:]  # neutralised by an export: the apostrophe is not data
                        elif on_formula is not None:
                            on_formula(number, header, text)
                    values.append(seen.setdefault(text, text))
                if any(values):
                    result.append(FileRow(number, tuple(values)))
    except limits.TooLarge:
        raise DomainError(TOO_LARGE_UNPACKED, code="too_large", fields={"file": TOO_LARGE_UNPACKED}) from None
    except (zipfile.BadZipFile, OSError, EOFError, Unreadable, etree.XMLSyntaxError, IndexError, ValueError,
            KeyError) as exc:
        logger.info("national check: unreadable upload (%s)", type(exc).__name__)
        raise DomainError(UNREADABLE, code="unreadable", fields={"file": UNREADABLE}) from None
    if not result:
        raise DomainError(NO_ROWS, code="no_rows", fields={"file": NO_ROWS})
    return result


# --- the comparison --------------------------------------------------------------------------

def _pick(candidates: list[FileRow], level: str) -> FileRow:
    for candidate in candidates:
        if candidate.get(LEVEL) == level:
            return candidate
    return candidates[0]


def national_check(*, actor, uploaded_file, cohort, college_id=None, client_address: str = "") -> CheckReport:
    """Compare an uploaded 就业方案 file with the platform (read-only; audited; the report is
    kept for an hour for its Excel download)."""
    require_role(actor, REVIEWERS)
    filters = resolve_filters(actor=actor, cohort=cohort, college_id=college_id)
    file_name = (getattr(uploaded_file, "name", "") or "")[:100]
    report = CheckReport(cohort=filters.cohort, school=filters.school.name,
                         college=filters.college.name if filters.college else "", file_name=file_name)

    def formula(row_number, header, text):
        report.formula_count += 1
        _keep(report.formulas, FormulaCell(row_number, header, text, FORMULA_NOTE.format(mark=text[0])))

    rows = read_national_file(uploaded_file, on_formula=formula)
    report.file_rows = len(rows)
    by_number: dict[str, list[FileRow]] = {}
    matched: set[str] = set()
    for row in rows:
        by_number.setdefault(row.get(KEY), []).append(row)

    for graduate in cohort_graduates(actor=actor, filters=filters).iterator(chunk_size=2000):
        candidates = by_number.get(graduate.student_number)
        if not candidates:
            report.missing_count += 1
            _keep(report.missing, MissingGraduate(graduate.student_number, graduate.name,
                                                                graduate.college.name))
            continue
        platform = export_values(graduate)
        row = _pick(candidates, platform[_INDEX[LEVEL]])
        candidates.remove(row)
        matched.add(graduate.student_number)
        report.matched_rows += 1
        differs = False
        for header, mine, theirs in zip(EXPORT_HEADERS, platform, row.values, strict=True):
            if mine.strip() != theirs:
                differs = True
                report.difference_count += 1
                _keep(report.differences, CellDifference(row.row_number, graduate.student_number, graduate.name,
                                                         header, theirs, mine))
        report.differing_rows += differs

    leftovers = sorted((r for group in by_number.values() for r in group), key=lambda r: r.row_number)
    for row in leftovers:
        number = row.get(KEY)
        if not number:
            reason = "缺少学号"
        elif number in matched:
            reason = "学号在文件中重复出现，本行未能对应到毕业生"
        else:
            reason = "平台中没有该学号的本届毕业生（或不在您的管理范围内）"
        report.extra_count += 1
        _keep(report.extras, ExtraRow(row.row_number, number, row.get(NAME), reason))

    with transaction.atomic():
        audit_record(
            actor=actor, action="registry.national_check",
            summary=f"核对{filters.cohort}届就业方案文件：{report.file_rows}行，{report.difference_count}处不一致",
            target=None, school_id=filters.school.pk,
            college_id=filters.college.pk if filters.college else None,
            changes={"届别": filters.cohort, "院系": report.college or "全部", "文件行数": report.file_rows,
                     "不一致": report.difference_count, "文件多出": report.extra_count,
                     "文件缺少": report.missing_count},
            client_address=client_address,
        )
    report.token = store_report(report, actor=actor)
    return report


# --- keeping the report for its download -----------------------------------------------------

def _cache_key(token: str) -> str:
    return f"registry:national-check:{token}"


def store_report(report: CheckReport, *, actor) -> str:
    """The report, encrypted (it names graduates), in the cache for an hour; the token is random."""
    token = secrets.token_urlsafe(18)
    payload = json.dumps({"user": actor.pk, "report": report.to_json()}, ensure_ascii=False)
    packed = base64.b64encode(zlib.compress(payload.encode(), 6)).decode()
    cache.set(_cache_key(token), crypto.encrypt(packed), REPORT_SECONDS)
    return token


def load_report(token: str, *, actor) -> CheckReport:
    sealed = cache.get(_cache_key(str(token)[:64])) if token else None
    if not sealed:
        raise DomainError(REPORT_GONE, code="not_found")
    try:
        payload = json.loads(zlib.decompress(base64.b64decode(crypto.decrypt(sealed))).decode())
    except (ValueError, zlib.error):
        raise DomainError(REPORT_GONE, code="not_found") from None
    if payload.get("user") != actor.pk:
        raise DomainError(REPORT_GONE, code="not_found")
    return CheckReport.from_json(payload["report"])


def report_workbook(report: CheckReport) -> bytes:
    """The difference report as .xlsx (through apps.core.exports: values typed by graduates and
    file cells starting with = + - @ are neutralised)."""
    book = XlsxBook()
    summary = book.sheet("概况", [Column("项目", 24), Column("内容", 60)])
    for label, value in (("届别", report.cohort), ("院校", report.school), ("院系", report.college or "全部"),
                         ("文件", report.file_name), ("结论", report.summary), ("文件数据行", report.file_rows),
                         ("匹配的毕业生", report.matched_rows), ("有差异的行", report.differing_rows),
                         ("不一致的单元格", report.difference_count), ("文件中多出的行", report.extra_count),
                         ("文件中缺少的毕业生", report.missing_count), ("公式样式的单元格", report.formula_count)):
        summary.append([label, value])
    if max(report.difference_count, report.extra_count, report.missing_count, report.formula_count) > KEEP_LIMIT:
        summary.append(["说明", f"每类最多列出前{KEEP_LIMIT}条"])
    sheet = book.sheet("不一致", [Column("行号", 8), Column("学号", 14, text=True), Column("姓名", 10),
                                  Column("列", 18), Column("文件中的值", 30, text=True),
                                  Column("平台中的值", 30, text=True)])
    for d in report.differences:
        sheet.append([d.row_number, d.student_number, d.name, d.column, d.file_value, d.platform_value])
    sheet = book.sheet("文件多出", [Column("行号", 8), Column("学号", 14, text=True), Column("姓名", 10),
                                    Column("说明", 50)])
    for e in report.extras:
        sheet.append([e.row_number, e.student_number, e.name, e.reason])
    sheet = book.sheet("文件缺少", [Column("学号", 14, text=True), Column("姓名", 10), Column("院系", 20)])
    for m in report.missing:
        sheet.append([m.student_number, m.name, m.college])
    sheet = book.sheet("公式样式单元格", [Column("行号", 8), Column("列", 18), Column("内容", 40, text=True),
                                          Column("说明", 40)])
    for c in report.formulas:
        sheet.append([c.row_number, c.column, c.value, c.note])
    return book.to_bytes()
