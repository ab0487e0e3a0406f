"""Roster import (生源导入): upload → validation in the background → staff confirm →
commit in the background, all or nothing.

Status flow (RosterImport.status):
    uploaded → validating → valid | invalid | failed
    valid → committing → committed | invalid (the database changed since) | failed
"""

from __future__ import annotations

import logging
import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import SCHOOL_STAFF, require_role
from apps.audit.services import audit_record
from apps.core.errors import DomainError, NotFound
from apps.graduates.models import Graduate
from apps.organisations.models import College, Major, School
from apps.roster.models import ImportMode, ImportStatus, RosterImport, RosterIssue
from apps.roster.parsing import RosterSheet, UnreadableFile, looks_like_xls, looks_like_xlsx, open_workbook
from apps.roster.validation import CleanRow, RosterValidator, ValidationResult
from apps.roster.workbooks import issues_workbook, template_workbook

logger = logging.getLogger(__name__)

NOT_XLSX = "文件不是有效的Excel（.xlsx）文件"
OLD_XLS = "不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx后上传"
NO_FILE = "请选择要上传的Excel文件"
TOO_LARGE = "文件过大：不能超过{limit}"
TOO_LARGE_UNPACKED = "文件解压后过大，请拆分后分批导入"
UNPACK_FACTOR = 20  # an .xlsx is zipped XML; a real roster expands about 10×
BAD_COHORT = "届别应为4位年份，如{year}"
BAD_MODE = "请选择导入方式"
NOT_VALID = "只有校验通过的导入才能确认导入"
ALREADY = "该文件已提交导入，请勿重复操作"
VALIDATION_FAILED = "校验时发生系统错误，文件未导入。请重新上传；如仍失败请联系技术支持"
UNREADABLE = "文件内容无法读取，请在Excel中另存为.xlsx后重新上传"
COMMIT_FAILED = "导入时发生系统错误，未写入任何数据。请稍后重试；如仍失败请联系技术支持"
RUNNING = (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.COMMITTING)

# Graduate fields an import may write; never the signing PIN. (`imported_by` then names the
# last import that wrote the record.)
ROSTER_FIELDS = (
    "name", "id_number", "id_number_hash", "birth_date", "gender_code", "exam_number", "ethnicity_code",
    "political_status_code", "urban_rural_code", "training_mode_code", "sponsor_unit", "study_form",
    "enrolment_date", "graduation_date", "origin_division_id", "hardship_code", "normal_student_code",
    "phone", "phone_hash",
)


def roster_template_workbook() -> bytes:
    """The blank import template (.xlsx): 生源 sheet, 说明 sheet and one sheet per code table."""
    return template_workbook()


def roster_issues_workbook(*, roster_import: RosterImport) -> bytes:
    title = f"{roster_import.original_name}（{roster_import.cohort}届）校验结果"
    return issues_workbook(title=title, issues=roster_import.issues.order_by("row_number", "id").iterator())


# --- upload -------------------------------------------------------------------------------

def _clean_cohort(cohort) -> int:
    year = timezone.localdate().year
    try:
        value = int(str(cohort).strip())
    except (TypeError, ValueError):
        raise DomainError(BAD_COHORT.format(year=year), fields={"cohort": "请填写4位年份"}) from None
    if not 2000 <= value <= year + 5:
        raise DomainError(BAD_COHORT.format(year=year), fields={"cohort": "请填写4位年份"})
    return value


def _check_upload(uploaded_file) -> None:
    if uploaded_file is None or not getattr(uploaded_file, "size", 0):
        raise DomainError(NO_FILE, fields={"file": NO_FILE})
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if uploaded_file.size > limit:
        message = TOO_LARGE.format(limit=_size_label(limit))
        raise DomainError(message, code="too_large", fields={"file": message})
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if looks_like_xls(head):
        raise DomainError(OLD_XLS, code="not_xlsx", fields={"file": OLD_XLS})
    if not looks_like_xlsx(head):
        raise DomainError(NOT_XLSX, code="not_xlsx", fields={"file": NOT_XLSX})
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise DomainError(NOT_XLSX, code="not_xlsx", fields={"file": NOT_XLSX}) from None
    finally:
        uploaded_file.seek(0)
    if unpacked > limit * UNPACK_FACTOR:  # a zip bomb must not reach the XML parser
        raise DomainError(TOO_LARGE_UNPACKED, code="too_large", fields={"file": TOO_LARGE_UNPACKED})
    try:
        open_workbook(uploaded_file).close()
    except UnreadableFile:
        raise DomainError(NOT_XLSX, code="not_xlsx", fields={"file": NOT_XLSX}) from None
    finally:
        uploaded_file.seek(0)


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g}MB"
    return f"{max(1, size // 1024)}KB"


def _label(name: str | None) -> str:
    """The user's file name, kept only as a label."""
    return (PurePath((name or "").replace("\\", "/")).name or "roster.xlsx")[:200]


def roster_import_start(*, actor, uploaded_file, cohort, mode: str, client_address: str = "") -> RosterImport:
    """Store the upload under a random path of the school and queue its validation."""
    require_role(actor, SCHOOL_STAFF)
    cohort = _clean_cohort(cohort)
    if mode not in ImportMode.values:
        raise DomainError(BAD_MODE, fields={"mode": BAD_MODE})
    _check_upload(uploaded_file)
    stored = default_storage.save(f"roster/{actor.school_id}/{uuid.uuid4().hex}.xlsx", uploaded_file)
    try:
        with transaction.atomic():
            roster_import = RosterImport.objects.create(
                school_id=actor.school_id, cohort=cohort, uploaded_by=actor, file=stored,
                original_name=_label(uploaded_file.name), mode=mode,
            )
            audit_record(
                actor=actor, action="roster.upload",
                summary=f"上传{cohort}届生源文件：{roster_import.original_name}", target=roster_import,
                school_id=actor.school_id, changes={"cohort": cohort, "mode": mode}, client_address=client_address,
            )
            transaction.on_commit(lambda: _enqueue_validation(roster_import.pk))
    except Exception:
        default_storage.delete(stored)
        raise
    return roster_import


def _enqueue_validation(import_id: int) -> None:
    from apps.roster.tasks import validate_roster_import

    validate_roster_import.enqueue(import_id)


# --- validation (background) ------------------------------------------------------------------

def _validate_file(roster_import: RosterImport, *, on_open=None, on_progress=None) -> ValidationResult:
    with roster_import.file.open("rb") as fh:
        sheet = RosterSheet(fh)
        try:
            if on_open is not None:
                on_open(sheet)
            validator = RosterValidator(school=roster_import.school, cohort=roster_import.cohort,
                                        mode=roster_import.mode)
            return validator.validate(sheet, on_progress=on_progress)
        finally:
            sheet.close()


def _store_result(roster_import: RosterImport, result: ValidationResult, *, status: str, **counts) -> None:
    """Replace the import's issues and counters (inside the caller's transaction)."""
    RosterIssue.objects.filter(roster_import=roster_import).delete()
    RosterIssue.objects.bulk_create(
        [RosterIssue(roster_import=roster_import, row_number=i.row_number, column=i.column, message=i.message,
                     is_warning=i.is_warning) for i in result.issues],
        batch_size=1000,
    )
    values = {
        "status": status, "total_rows": result.total_rows, "processed_rows": result.total_rows,
        "error_count": result.error_count, "warning_count": result.warning_count, "finished_at": timezone.now(),
        "failure_message": "", **counts,
    }
    RosterImport.objects.filter(pk=roster_import.pk).update(**values)
    for name, value in values.items():
        setattr(roster_import, name, value)


def _fail(import_id: int, message: str) -> None:
    RosterImport.objects.filter(pk=import_id).update(
        status=ImportStatus.FAILED, failure_message=message, finished_at=timezone.now()
    )


def roster_import_run_validation(*, import_id: int) -> None:
    """The validation task's body: read every row, store the report, set valid/invalid."""
    claimed = RosterImport.objects.filter(pk=import_id, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.VALIDATING, processed_rows=0
    )
    if not claimed:
        return  # already taken by another worker, or gone
    roster_import = RosterImport.objects.select_related("school").get(pk=import_id)

    def opened(sheet: RosterSheet) -> None:
        RosterImport.objects.filter(pk=import_id).update(total_rows=sheet.estimated_rows)

    def progress(done: int) -> None:
        RosterImport.objects.filter(pk=import_id).update(processed_rows=done)

    try:
        result = _validate_file(roster_import, on_open=opened, on_progress=progress)
    except UnreadableFile:
        _fail(import_id, UNREADABLE)
        return
    except Exception:
        logger.exception("roster import %s: validation crashed", import_id)
        _fail(import_id, VALIDATION_FAILED)
        return
    with transaction.atomic():
        _store_result(roster_import, result,
                      status=ImportStatus.INVALID if result.error_count else ImportStatus.VALID)


# --- commit -----------------------------------------------------------------------------------

def roster_import_commit(*, actor, roster_import: RosterImport, client_address: str = "") -> RosterImport:
    """Staff confirm a validated import; the commit runs in the background."""
    require_role(actor, SCHOOL_STAFF)
    if roster_import.school_id != actor.school_id:
        raise NotFound()
    with transaction.atomic():
        claimed = RosterImport.objects.filter(pk=roster_import.pk, status=ImportStatus.VALID).update(
            status=ImportStatus.COMMITTING, finished_at=None
        )
        if not claimed:
            current = RosterImport.objects.filter(pk=roster_import.pk).values_list("status", flat=True).first()
            raise DomainError(ALREADY if current in (ImportStatus.COMMITTING, ImportStatus.COMMITTED) else NOT_VALID,
                              code="not_valid")
        transaction.on_commit(lambda: _enqueue_commit(roster_import.pk, actor.pk, client_address))
    roster_import.refresh_from_db()
    return roster_import


def _enqueue_commit(import_id: int, actor_id: int, client_address: str) -> None:
    from apps.roster.tasks import commit_roster_import

    commit_roster_import.enqueue(import_id, actor_id, client_address)


class _Rejected(Exception):
    def __init__(self, result: ValidationResult):
        super().__init__("roster import no longer valid")
        self.result = result


def roster_import_run_commit(*, import_id: int, actor_id: int, client_address: str = "") -> None:
    """The commit task's body: re-validate and write inside ONE transaction."""
    roster_import = RosterImport.objects.select_related("school").filter(
        pk=import_id, status=ImportStatus.COMMITTING
    ).first()
    if roster_import is None:
        return
    try:
        actor = User.objects.get(pk=actor_id)
        with transaction.atomic():
            # one commit per school at a time (PostgreSQL; SQLite's write lock does the same)
            School.objects.select_for_update().get(pk=roster_import.school_id)
            result = _validate_file(roster_import)
            if result.error_count:
                raise _Rejected(result)
            counts = _write(roster_import, result)
            audit_record(
                actor=actor, action="roster.commit",
                summary=f"导入{roster_import.cohort}届生源：新增{counts['created']}人，更新{counts['updated']}人",
                target=roster_import, school_id=roster_import.school_id, changes=counts,
                client_address=client_address,
            )
            _store_result(roster_import, result, status=ImportStatus.COMMITTED,
                          created_count=counts["created"], updated_count=counts["updated"])
    except _Rejected as rejected:
        with transaction.atomic():
            _store_result(roster_import, rejected.result, status=ImportStatus.INVALID)
    except UnreadableFile:
        _fail(import_id, UNREADABLE)
    except Exception:
        logger.exception("roster import %s: commit crashed, rolled back", import_id)
        _fail(import_id, COMMIT_FAILED)


def _free_college_codes(school_id: int):
    used = set(College.objects.filter(school_id=school_id).values_list("code", flat=True))
    n = 0
    while True:
        n += 1
        code = f"N{n:03d}"
        if code not in used:
            used.add(code)
            yield code


def _write(roster_import: RosterImport, result: ValidationResult) -> dict:
    school_id = roster_import.school_id
    codes = _free_college_codes(school_id)
    colleges = {key: College.objects.create(school_id=school_id, code=next(codes), name=name)
                for key, name in result.new_colleges.items()}
    majors = {}
    for key, (college_id, college_key, name, code) in result.new_majors.items():
        college_id = college_id or colleges[college_key].pk
        majors[key] = Major.objects.create(school_id=school_id, college_id=college_id, code=code, name=name)

    def place(row: CleanRow) -> tuple[int, int]:
        college_id = row.college_id or colleges[row.college_key].pk
        major_id = row.major_id or majors[row.major_key].pk
        return college_id, major_id

    new, changed, unchanged = [], [], 0
    existing = Graduate.objects.in_bulk([r.existing_pk for r in result.rows if r.existing_pk])
    for row in result.rows:
        college_id, major_id = place(row)
        values = {f: row.fields[f] for f in ROSTER_FIELDS if f in row.fields}
        if row.existing_pk is None:
            new.append(Graduate(
                school_id=school_id, cohort=roster_import.cohort, college_id=college_id, major_id=major_id,
                student_number=row.fields["student_number"], education_level_code=row.fields["education_level_code"],
                imported_by=roster_import, **values,
            ))
            continue
        graduate = existing[row.existing_pk]
        values.update(college_id=college_id, major_id=major_id)
        differing = {f: v for f, v in values.items() if getattr(graduate, f) != v}
        if differing:
            changed.append((graduate.pk, differing))
        else:
            unchanged += 1
    Graduate.objects.bulk_create(new, batch_size=500)
    # One UPDATE per changed record, of the changed columns only: on SQLite this is far
    # faster than bulk_update's CASE expressions over every column.
    now = timezone.now()
    for pk, differing in changed:
        Graduate.objects.filter(pk=pk).update(**differing, imported_by=roster_import, updated_at=now)
    return {
        "rows": result.total_rows, "created": len(new), "updated": len(changed), "unchanged": unchanged,
        "colleges_created": [c.name for c in colleges.values()], "majors_created": len(majors),
    }
