"""Row-by-row judgement of a roster file: every problem becomes an Issue with the row as
Excel shows it, the column's Chinese header and a Chinese message.

The validator reads the file once, after the upload (the report staff read). The commit
does not parse the workbook again: it takes the rows validation kept (apps/roster/parsed.py)
and `recheck`s inside its transaction only what the database can have changed in between —
the cohort's student numbers, the records an upsert updates, the colleges and majors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from apps.core.crypto import keyed_hash
from apps.core.logging import scrub
from apps.core.text import mask_id_number, normalise, normalise_id_number, normalise_name
from apps.graduates.models import Graduate
from apps.organisations.models import College, Major, School
from apps.reference.selectors import code_entries, code_labels, county_division
from apps.roster.models import ImportMode
from apps.roster.parsing import (
    COLUMN_BY_FIELD,
    COLUMNS,
    EXAMPLE,
    RawRow,
    RosterSheet,
    cell_text,
    parse_date,
    parse_year_month,
)

PROGRESS_EVERY = 500
PHONE = re.compile(r"^1[3-9]\d{9}$")

# Every message a staff member can read in the report.
REQUIRED = "{column}不能为空"
TOO_LONG = "{column}不能超过{limit}个字符"
MISSING_COLUMNS = "缺少必填列：{names}。请使用下载的导入模板"
DUPLICATED_COLUMN = "列“{column}”出现了多次"
NO_ROWS = "文件中没有生源数据"
TOO_MANY_ROWS = "文件超过{limit}行的上限，请拆分后分批导入"
EXAMPLE_ROW = "这是模板中的示例行，请删除后再导入"
ID_FORMAT = "身份证号格式不正确"
ID_CHECKSUM = "身份证号校验位不正确"
ID_BIRTH = "身份证号中的出生日期不正确"
ID_PLACE = "身份证号中的地区码不正确"
ID_NUMERIC = "身份证号被存成了数字，末几位可能已被Excel改写：请将该列设为文本格式后重新填写"
GENDER_MISMATCH = "性别与身份证号不一致：身份证号对应的性别为{expected}"
UNKNOWN_CODE = "{column}“{value}”不是有效的代码或名称，请对照“{sheet}”工作表填写"
DIVISION = "生源地代码“{value}”不是现行的区县级行政区划代码：须精确到区县（6位代码），不能只填省或地市"
PHONE_INVALID = "手机号须为11位大陆手机号码"
ENROLMENT = "入学年月格式不正确，应为YYYY-MM或YYYYMM，如2022-09"
GRADUATION = "毕业日期格式不正确，应为YYYY-MM-DD，如2026-06-30"
GRADUATION_BEFORE_ENROLMENT = "毕业日期早于入学年月"
NEW_COLLEGE = "将新建院系：{name}"
NEW_MAJOR = "将新建专业：{name}（{college}）"
MAJOR_AMBIGUOUS = "院系“{college}”下有多个名为“{name}”的专业，请填写专业代码"
DUPLICATE_KEY_IN_FILE = "学号和学历层次与第{row}行重复"
DUPLICATE_ID_IN_FILE = "身份证号与第{row}行相同"
EXISTS = "该学号已存在于{cohort}届名单"
COLLEGE_CHANGED = "院系“{name}”在校验之后已被修改或删除，本次未导入任何数据：请重新上传文件校验"
MAJOR_CHANGED = "专业“{name}”在校验之后已被修改或删除，本次未导入任何数据：请重新上传文件校验"
ID_IN_COHORT = "该身份证号已存在于{cohort}届名单（学号{student_number}）"
ID_CHANGES = "将修改已有记录的身份证号（原为{masked}）"

# free-text fields: how they are cleaned
_CLEANERS: dict[str, Callable[[str], str]] = {
    "student_number": normalise,
    "name": normalise_name,
    "exam_number": normalise,
    "sponsor_unit": str.strip,
    "study_form": normalise,
}


@dataclass
class Issue:
    row_number: int
    column: str
    message: str
    is_warning: bool = False


@dataclass
class CleanRow:
    """One row that passed: Graduate field values (blank optional cells left out) plus
    where it goes (an existing college/major id or the key of one to create)."""

    row_number: int
    fields: dict[str, object]
    college_id: int | None
    college_key: str
    major_id: int | None
    major_key: tuple[str, str, str] | None
    existing_pk: int | None = None
    # the 院系 / 专业名称 / 专业代码 cells as read: the commit places the row again from them
    place: tuple[str, str, str] = ("", "", "")


def _stored_issue_limit() -> int:
    return settings.ROSTER_MAX_STORED_ISSUES


@dataclass
class ValidationResult:
    total_rows: int = 0
    issues: list[Issue] = field(default_factory=list)  # the first ROSTER_MAX_STORED_ISSUES only
    unlisted_issues: int = 0  # found beyond that: counted, not kept
    rows: list[CleanRow] = field(default_factory=list)
    new_colleges: dict[str, str] = field(default_factory=dict)  # key → name
    # key (college key, name, code) → (existing college id or None, college key, name, code)
    new_majors: dict[tuple[str, str, str], tuple[int | None, str, str, str]] = field(default_factory=dict)

    error_count: int = 0
    warning_count: int = 0

    issue_limit: int = field(default_factory=_stored_issue_limit)

    def add(self, issue: Issue) -> None:
        # A broken file can have several issues per row: keeping them all is what made a
        # huge sheet cost hundreds of MB. The counts below stay exact.
        if len(self.issues) < self.issue_limit:
            self.issues.append(issue)
        else:
            self.unlisted_issues += 1
        if issue.is_warning:
            self.warning_count += 1
        else:
            self.error_count += 1


class CodeLookup:
    """Accepts a code, its name or an old spelling of the name (ethnicity's old_name);
    a numeric cell that lost its leading zero ("1" for "01") is padded back."""

    def __init__(self, table: str, scheme: str = ""):
        self.labels = code_labels(table, scheme)
        self.aliases: dict[str, str] = {}
        for code in self.labels:
            self.aliases.setdefault(normalise(code).upper(), code)
        for code, name in self.labels.items():
            self.aliases.setdefault(normalise(name), code)
        for entry in code_entries(table, scheme=scheme):
            old = (entry.extra or {}).get("old_name")
            if old:
                self.aliases.setdefault(normalise(old), entry.code)
        self.widths = sorted({len(c) for c in self.labels if c.isdigit()})

    def resolve(self, text: str) -> str | None:
        key = normalise(text)
        code = self.aliases.get(key) or self.aliases.get(key.upper())
        if code is not None:
            return code
        if key.isdigit():
            for width in self.widths:
                if len(key) < width and key.zfill(width) in self.labels:
                    return key.zfill(width)
        return None


_SEVENTEEN_DIGITS = re.compile(r"^\d{17}$", re.ASCII)


@functools.lru_cache(maxsize=20_000)
def _birth_place_known(county: str, year: int) -> bool:
    """stdnum's place check depends only on the first six digits and the birth year;
    cached, because its table lookup is most of the cost of checking a number."""
    try:
        ric.get_birth_place(f"{county}{year:04d}0101000X")
    except ValidationError:
        return False
    return True


def id_number_problem(number: str) -> str | None:
    """None when the (normalised) ID number is valid, else the Chinese message. The same
    checks, in the same order, as stdnum.cn.ric.validate (length and digits, checksum,
    birth date, birth place)."""
    if len(number) != 18 or not _SEVENTEEN_DIGITS.match(number[:17]):
        return ID_FORMAT
    if number[-1] != ric.calc_check_digit(number):
        return ID_CHECKSUM
    birth = id_birth_date(number)
    if birth is None:
        return ID_BIRTH
    if not _birth_place_known(number[:6], birth.year):
        return ID_PLACE
    return None


def id_birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender_name_of_id(number: str) -> str:
    """The 17th digit: odd for men, even for women (GB 11643)."""
    return "男" if int(number[16]) % 2 else "女"


class RosterValidator:
    def __init__(self, *, school: School, cohort: int, mode: str):
        self.school, self.cohort, self.mode = school, cohort, mode
        self.codes = {c.field: CodeLookup(c.table, c.scheme) for c in COLUMNS if c.table}
        colleges = list(College.objects.filter(school=school))
        self.college_by_code = {normalise(c.code).upper(): c for c in colleges}
        self.college_by_name = {normalise(c.name): c for c in colleges}
        self.majors: dict[tuple[int, str], list[Major]] = {}
        for major in Major.objects.filter(school=school):
            self.majors.setdefault((major.college_id, normalise(major.name)), []).append(major)
        self.existing: dict[tuple[str, str], tuple[int, str]] = {}
        self.existing_by_hash: dict[str, list[tuple[str, str]]] = {}
        rows = Graduate.objects.filter(school=school, cohort=cohort).values_list(
            "pk", "student_number", "education_level_code", "id_number_hash"
        )
        for pk, student_number, level, id_hash in rows:
            self.existing[(student_number, level)] = (pk, id_hash)
            self.existing_by_hash.setdefault(id_hash, []).append((student_number, level))
        self._county: dict[str, bool] = {}
        self.result = ValidationResult()
        self._seen_keys: dict[tuple[str, str], int] = {}
        self._seen_ids: dict[str, int] = {}

    # --- entry point
    def validate(self, sheet: RosterSheet, on_progress: Callable[[int], None] | None = None) -> ValidationResult:
        result = self.result
        if sheet.missing:
            result.add(Issue(1, "", MISSING_COLUMNS.format(names="、".join(sheet.missing))))
        for header in sheet.duplicated:
            result.add(Issue(1, header, DUPLICATED_COLUMN.format(column=header)))
        if result.error_count:
            return result
        max_rows = settings.ROSTER_MAX_ROWS  # also checked before validation; this is the backstop
        for raw in sheet.rows():
            if raw.is_blank():
                continue
            result.total_rows += 1
            if result.total_rows > max_rows:
                result.total_rows -= 1
                result.add(Issue(raw.number, "", TOO_MANY_ROWS.format(limit=max_rows)))
                break
            self._row(raw)
            if on_progress and result.total_rows % PROGRESS_EVERY == 0:
                on_progress(result.total_rows)
        if result.total_rows == 0 and not result.error_count:
            result.add(Issue(1, "", NO_ROWS))
        return result

    # --- helpers
    def _issue(self, row: int, field_name: str, message: str, warning: bool = False) -> None:
        column = COLUMN_BY_FIELD[field_name].header if field_name else ""
        self.result.add(Issue(row, column, message[:300], warning))

    def _is_county(self, code: str) -> bool:
        if code not in self._county:
            self._county[code] = county_division(code) is not None
        return self._county[code]

    # --- one row
    def _row(self, raw: RawRow) -> None:
        n = raw.number
        errors_before = self.result.error_count
        text = {f: cell_text(v) for f, v in raw.values.items()}
        clean: dict[str, object] = {}

        if normalise(text.get("student_number")) == EXAMPLE["学号"] and \
                normalise_id_number(text.get("id_number")) == EXAMPLE["身份证号"]:
            self._issue(n, "", EXAMPLE_ROW)
            return

        for column in COLUMNS:
            value = text.get(column.field, "")
            if column.required and not value:
                self._issue(n, column.field, REQUIRED.format(column=column.header))
            elif column.max_length and len(value) > column.max_length:
                self._issue(n, column.field, TOO_LONG.format(column=column.header, limit=column.max_length))
        for name, cleaner in _CLEANERS.items():
            value = cleaner(text.get(name, ""))
            if value and len(value) <= COLUMN_BY_FIELD[name].max_length:
                clean[name] = value

        id_number = self._id_number(n, raw.values.get("id_number"), text.get("id_number", ""), clean)
        self._codes(n, text, clean)
        if id_number and clean.get("gender_code"):
            expected = gender_name_of_id(id_number)
            if self.codes["gender_code"].labels.get(clean["gender_code"]) != expected:
                self._issue(n, "gender_code", GENDER_MISMATCH.format(expected=expected))
        self._division(n, text.get("origin_division", ""), clean)
        self._phone(n, text.get("phone", ""), clean)
        self._dates(n, raw.values, text, clean)
        place = self._college_and_major(n, text)
        key_ok = self._keys(n, clean)

        if self.result.error_count == errors_before and place is not None and key_ok:
            college_id, college_key, major_id, major_key, existing_pk = place + (key_ok[1],)
            cells = (text.get("college", ""), text.get("major_name", ""), text.get("major_code", ""))
            self.result.rows.append(CleanRow(n, clean, college_id, college_key, major_id, major_key, existing_pk,
                                             cells))

    # --- the commit's second look
    def recheck(self, rows: list[CleanRow], *, total_rows: int) -> ValidationResult:
        """Judge again, against the database as it is now, rows that passed validation: where
        each goes (a college or major validation found may have been renamed or deleted since;
        one it would create may exist by now) and its key (the same student number may have
        been added since; an upsert's record may have appeared or gone). The per-cell checks
        depend on the file alone and are not repeated."""
        result = self.result
        result.total_rows = total_rows
        for row in rows:
            n = row.row_number
            errors_before = result.error_count
            college, major_name, major_code = row.place
            place = self._college_and_major(n, {"college": college, "major_name": major_name,
                                                "major_code": major_code})
            if place is not None:
                if row.college_id is not None and place[0] != row.college_id:
                    self._issue(n, "college", COLLEGE_CHANGED.format(name=scrub(normalise(college))))
                elif row.major_id is not None and place[2] != row.major_id:
                    self._issue(n, "major_name", MAJOR_CHANGED.format(name=scrub(normalise(major_name))))
            key_ok = self._keys(n, row.fields)
            if result.error_count == errors_before and place is not None and key_ok:
                college_id, college_key, major_id, major_key = place
                result.rows.append(CleanRow(n, row.fields, college_id, college_key, major_id, major_key, key_ok[1],
                                            row.place))
        return result

    def _id_number(self, n: int, raw, text: str, clean: dict) -> str | None:
        if not text:
            return None
        number = normalise_id_number(text)
        problem = id_number_problem(number)
        if problem and isinstance(raw, int | float) and not isinstance(raw, bool):
            problem = ID_NUMERIC
        if problem:
            self._issue(n, "id_number", problem)
            return None
        clean["id_number"] = number
        clean["id_number_hash"] = keyed_hash(number)
        clean["birth_date"] = id_birth_date(number)
        return number

    def _codes(self, n: int, text: dict, clean: dict) -> None:
        for name, lookup in self.codes.items():
            value = text.get(name, "")
            if not value:
                continue
            code = lookup.resolve(value)
            if code is None:
                column = COLUMN_BY_FIELD[name].header
                self._issue(n, name, UNKNOWN_CODE.format(column=column, value=scrub(value[:30]), sheet=column))
            else:
                clean[name] = code

    def _division(self, n: int, text: str, clean: dict) -> None:
        code = normalise(text)
        if not code:
            return
        if self._is_county(code):
            clean["origin_division_id"] = code
        else:
            self._issue(n, "origin_division", DIVISION.format(value=scrub(code[:20])))

    def _phone(self, n: int, text: str, clean: dict) -> None:
        phone = normalise(text).replace("-", "")
        if phone.startswith("+86"):
            phone = phone[3:]
        if not phone:
            return
        if PHONE.match(phone):
            clean["phone"] = phone
            clean["phone_hash"] = keyed_hash(phone)
        else:
            self._issue(n, "phone", PHONE_INVALID)

    def _dates(self, n: int, raw: dict, text: dict, clean: dict) -> None:
        enrolment = graduation = None
        if text.get("enrolment_date"):
            enrolment = parse_year_month(raw.get("enrolment_date"))
            if enrolment is None:
                self._issue(n, "enrolment_date", ENROLMENT)
            else:
                clean["enrolment_date"] = enrolment
        if text.get("graduation_date"):
            graduation = parse_date(raw.get("graduation_date"))
            if graduation is None:
                self._issue(n, "graduation_date", GRADUATION)
            else:
                clean["graduation_date"] = graduation
        if isinstance(enrolment, date) and isinstance(graduation, date) and graduation < enrolment:
            self._issue(n, "graduation_date", GRADUATION_BEFORE_ENROLMENT)

    def _college_and_major(self, n: int, text: dict):
        """(college id, college key, major id, major key) or None when it cannot be placed."""
        college_text = normalise(text.get("college"))
        major_name = normalise(text.get("major_name"))
        major_code = normalise(text.get("major_code"))
        if not college_text or not major_name or len(college_text) > 100 or len(major_name) > 100 \
                or len(major_code) > 20:
            return None
        college = self.college_by_code.get(college_text.upper()) or self.college_by_name.get(college_text)
        if college is not None:
            college_id, college_key, college_name = college.pk, f"id:{college.pk}", college.name
            candidates = self.majors.get((college.pk, major_name), [])
            if major_code:
                candidates = [m for m in candidates if normalise(m.code) == major_code]
            if len(candidates) == 1:
                return college_id, college_key, candidates[0].pk, None
            if len(candidates) > 1:
                self._issue(n, "major_code", MAJOR_AMBIGUOUS.format(college=college_name, name=major_name))
                return None
        else:
            college_id, college_key, college_name = None, f"new:{college_text}", college_text
            if college_key not in self.result.new_colleges:
                self.result.new_colleges[college_key] = college_text
                self._issue(n, "college", NEW_COLLEGE.format(name=scrub(college_text)), warning=True)
        major_key = (college_key, major_name, major_code)
        if major_key not in self.result.new_majors:
            self.result.new_majors[major_key] = (college_id, college_key, major_name, major_code)
            self._issue(n, "major_name", NEW_MAJOR.format(name=scrub(major_name), college=scrub(college_name)),
                        warning=True)
        return college_id, college_key, None, major_key

    def _keys(self, n: int, clean: dict):
        """Duplicates in the file and against the cohort. (True, existing pk) when the row may
        go in; False when it may not; (True, None) when the key itself is incomplete (the
        required-field errors already block the row)."""
        student_number, level = clean.get("student_number"), clean.get("education_level_code")
        id_hash = clean.get("id_number_hash")
        if not (student_number and level):
            return (True, None)
        key = (student_number, level)
        first = self._seen_keys.get(key)
        if first is not None:
            self._issue(n, "student_number", DUPLICATE_KEY_IN_FILE.format(row=first))
            return False
        self._seen_keys[key] = n
        existing_pk = None
        existing = self.existing.get(key)
        if existing is not None:
            if self.mode == ImportMode.CREATE:
                self._issue(n, "student_number", EXISTS.format(cohort=self.cohort))
                return False
            existing_pk = existing[0]
            if id_hash and existing[1] != id_hash:
                masked = self._masked_existing_id(existing_pk)
                self._issue(n, "id_number", ID_CHANGES.format(masked=masked), warning=True)
        if id_hash:
            first_id = self._seen_ids.get(id_hash)
            if first_id is not None:
                self._issue(n, "id_number", DUPLICATE_ID_IN_FILE.format(row=first_id), warning=True)
            else:
                self._seen_ids[id_hash] = n
            others = [k for k in self.existing_by_hash.get(id_hash, []) if k != key]
            if others:
                self._issue(n, "id_number", ID_IN_COHORT.format(cohort=self.cohort, student_number=others[0][0]),
                            warning=True)
        return (True, existing_pk)

    @staticmethod
    def _masked_existing_id(pk: int) -> str:
        graduate = Graduate.objects.only("id_number").get(pk=pk)
        return mask_id_number(graduate.id_number)
