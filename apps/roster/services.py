"""Roster import (生源导入): upload → validation in the background → staff confirm →
commit in the background, all or nothing.

Status flow (RosterImport.status):
    uploaded → validating → valid | invalid | failed
    valid → committing → committed | invalid (the database changed since) | failed
    failed, or running with an expired lease → (重试) uploaded or committing again

Both background jobs are idempotent: validation replaces the whole report in one
transaction, and the commit writes everything in one transaction that a killed worker
never commits (the database rolls it back), so running either again is safe. Validation
keeps the rows it passed (encrypted, apps/roster/parsed.py); the commit re-checks those
against the database instead of parsing the workbook again. A job keeps
`worker_heartbeat_at` fresh while it works; apps/roster/recovery.py re-enqueues a job whose
lease ran out, and staff may retry one by hand.
"""

from __future__ import annotations

import logging
import uuid
import zipfile
from collections import Counter
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, OperationalError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import SCHOOL_STAFF, require_role
from apps.audit.services import audit_record
from apps.core.errors import DomainError, NotFound
from apps.core.jobs import checkpoint, lease_seconds
from apps.graduates.counts import graduate_counts_add, graduate_counts_for
from apps.graduates.models import Graduate, id_last4_of
from apps.organisations.models import College, Major, School
from apps.registry.outbox import ROSTER, registry_enqueue_many
from apps.roster import limits, parsed, parsing
from apps.roster.models import ImportMode, ImportStatus, RosterImport, RosterIssue
from apps.roster.parsing import RosterSheet, UnreadableFile, looks_like_xls, looks_like_xlsx
from apps.roster.validation import TOO_MANY_ROWS, CleanRow, Issue, RosterValidator, ValidationResult
from apps.roster.workbooks import issues_workbook, template_workbook

logger = logging.getLogger(__name__)

NOT_XLSX = "文件不是有效的Excel（.xlsx）文件"
OLD_XLS = "不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx后上传"
NO_FILE = "请选择要上传的Excel文件"
TOO_LARGE = "文件过大：不能超过{limit}"
TOO_LARGE_UNPACKED = "文件解压后过大，请拆分后分批导入"
BAD_COHORT = "届别应为4位年份，如{year}"
BAD_MODE = "请选择导入方式"
NOT_VALID = "只有校验通过的导入才能确认导入"
ALREADY = "该文件已提交导入，请勿重复操作"
VALIDATION_FAILED = "校验时发生系统错误，文件未导入。请重新上传；如仍失败请联系技术支持"
UNREADABLE = "文件内容无法读取，请在Excel中另存为.xlsx后重新上传"
COMMIT_FAILED = "导入时发生系统错误，未写入任何数据。请稍后重试；如仍失败请联系技术支持"
NOT_RETRYABLE = "只有处理失败或后台处理中断的导入才能重试"
STILL_RUNNING = "该导入仍在后台处理中，请稍后刷新查看"
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
    note = f"另有{roster_import.unlisted_issue_count}条问题未列出" if roster_import.unlisted_issue_count else ""
    return issues_workbook(title=title, issues=roster_import.issues.order_by("row_number", "id").iterator(),
                           note=note)


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
    # Zip-level checks only: the request never parses the sheet (that is the worker's job),
    # and a zip bomb or a million-row sheet is refused from what the zip declares.
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            sheet = limits.inspect_archive(archive)
    except (zipfile.BadZipFile, OSError, limits.NotAWorkbook):
        raise DomainError(NOT_XLSX, code="not_xlsx", fields={"file": NOT_XLSX}) from None
    except limits.TooLarge:
        raise DomainError(TOO_LARGE_UNPACKED, code="too_large", fields={"file": TOO_LARGE_UNPACKED}) from None
    finally:
        uploaded_file.seek(0)
    max_rows = limits.max_rows()
    if sheet.declared_rows is not None and sheet.declared_rows > max_rows:
        message = TOO_MANY_ROWS.format(limit=max_rows)
        raise DomainError(message, code="too_many_rows", fields={"file": message})


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
                original_name=_label(uploaded_file.name), mode=mode, worker_heartbeat_at=timezone.now(),
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
        sheet = parsing.open_roster_sheet(fh)
        try:
            if on_open is not None:
                on_open(sheet)
            validator = RosterValidator(school=roster_import.school, cohort=roster_import.cohort,
                                        mode=roster_import.mode)
            return validator.validate(sheet, on_progress=on_progress)
        finally:
            sheet.close()


def _rows_over_limit(roster_import: RosterImport) -> ValidationResult | None:
    """The report of a file above the limits, found without parsing it (a byte-level row
    count that stops at the limit); None when the file is within them."""
    max_rows = limits.max_rows()
    try:
        with roster_import.file.open("rb") as fh, zipfile.ZipFile(fh) as archive:
            sheet = limits.inspect_archive(archive)
            rows = limits.count_rows(archive, sheet.member, stop_after=max_rows)
    except limits.TooLarge:
        message = TOO_LARGE_UNPACKED
    except (zipfile.BadZipFile, OSError, limits.NotAWorkbook) as exc:
        raise UnreadableFile(str(exc)) from None
    else:
        if rows <= max_rows:
            return None
        message = TOO_MANY_ROWS.format(limit=max_rows)
    result = ValidationResult()
    result.add(Issue(1, "", message))
    return result


def _beat(import_id: int, **values) -> None:
    """Renew the job's lease (committed at once: outside any transaction)."""
    RosterImport.objects.filter(pk=import_id).update(worker_heartbeat_at=timezone.now(), **values)


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
        "unlisted_issue_count": result.unlisted_issues, "failure_message": "", **counts,
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
        status=ImportStatus.VALIDATING, processed_rows=0, worker_heartbeat_at=timezone.now()
    )
    if not claimed:
        return  # already taken by another worker, or gone
    roster_import = RosterImport.objects.select_related("school").get(pk=import_id)

    def opened(sheet: RosterSheet) -> None:
        _beat(import_id, total_rows=sheet.estimated_rows)
        checkpoint("roster.validate")

    def progress(done: int) -> None:
        _beat(import_id, processed_rows=done)

    try:
        result = _rows_over_limit(roster_import)
        if result is None:
            result = _validate_file(roster_import, on_open=opened, on_progress=progress)
    except UnreadableFile:
        _fail(import_id, UNREADABLE)
        return
    except Exception:
        logger.exception("roster import %s: validation crashed", import_id)
        _fail(import_id, VALIDATION_FAILED)
        return
    previous = roster_import.parsed_rows
    kept = "" if result.error_count else parsed.save(roster_import, result.rows, result.total_rows)
    try:
        with transaction.atomic():
            _store_result(roster_import, result,
                          status=ImportStatus.INVALID if result.error_count else ImportStatus.VALID, parsed_rows=kept)
    except Exception:
        if kept != previous:
            parsed.discard(kept)
        raise
    if previous and previous != kept:
        parsed.discard(previous)


# --- commit -----------------------------------------------------------------------------------

def roster_import_commit(*, actor, roster_import: RosterImport, client_address: str = "") -> RosterImport:
    """Staff confirm a validated import; the commit runs in the background."""
    require_role(actor, SCHOOL_STAFF)
    if roster_import.school_id != actor.school_id:
        raise NotFound()
    with transaction.atomic():
        claimed = RosterImport.objects.filter(pk=roster_import.pk, status=ImportStatus.VALID).update(
            status=ImportStatus.COMMITTING, finished_at=None, committed_by=actor,
            worker_heartbeat_at=timezone.now(), recovery_attempts=0,
        )
        if claimed:
            transaction.on_commit(lambda: _enqueue_commit(roster_import.pk, actor.pk, client_address))
    if not claimed:
        current = RosterImport.objects.get(pk=roster_import.pk)
        if current.committed_by_id and is_retryable(current):
            # confirming again after the commit's worker died is a genuine retry, not a
            # double submission
            return roster_import_retry(actor=actor, roster_import=current, client_address=client_address)
        raise DomainError(ALREADY if current.status in (ImportStatus.COMMITTING, ImportStatus.COMMITTED)
                          else NOT_VALID, code="not_valid")
    roster_import.refresh_from_db()
    return roster_import


# --- leases and retry -------------------------------------------------------------------------

def lease_expired(roster_import: RosterImport, now=None) -> bool:
    """True when the running job has not renewed its lease for JOB_LEASE_SECONDS."""
    beat = roster_import.worker_heartbeat_at or roster_import.created_at
    return (now or timezone.now()) - beat > timedelta(seconds=lease_seconds())


def is_retryable(roster_import: RosterImport, now=None) -> bool:
    return roster_import.status == ImportStatus.FAILED or (
        roster_import.status in RUNNING and lease_expired(roster_import, now)
    )


def commit_in_progress(roster_import: RosterImport) -> bool:
    """Whether a commit of this school holds its lock right now (call inside a transaction).
    PostgreSQL: a live commit holds the school row (SELECT … FOR UPDATE) and a killed
    worker's connection releases it. SQLite: the caller's IMMEDIATE transaction already
    waited for any running commit's write transaction to end."""
    if not transaction.get_connection().features.has_select_for_update_nowait:
        return False
    try:
        with transaction.atomic():
            School.objects.select_for_update(nowait=True).filter(pk=roster_import.school_id).exists()
    except DatabaseError:
        return True
    return False


def roster_import_retry(*, actor, roster_import: RosterImport, client_address: str = "") -> RosterImport:
    """重试: run a failed or interrupted import's job again — the validation, or the commit
    when staff had confirmed it (in the name of whoever retries)."""
    require_role(actor, SCHOOL_STAFF)
    if roster_import.school_id != actor.school_id:
        raise NotFound()
    try:
        with transaction.atomic():
            current = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
            if not is_retryable(current):
                raise DomainError(NOT_RETRYABLE, code="not_retryable")
            commit = current.committed_by_id is not None
            if commit and commit_in_progress(current):
                raise DomainError(STILL_RUNNING, code="still_running")
            before, failure = current.status, current.failure_message
            requeue(current, commit=commit, actor_id=actor.pk if commit else None, client_address=client_address,
                    recovery_attempts=0)
            audit_record(
                actor=actor, action="roster.retry",
                summary=f"重试{'导入' if commit else '校验'}：{current.original_name}（{current.cohort}届）",
                target=current, school_id=current.school_id,
                changes={"status": [before, current.status], "failure_message": [failure, ""]},
                client_address=client_address,
            )
    except OperationalError:  # SQLite: a commit still holds the write lock past the busy timeout
        raise DomainError(STILL_RUNNING, code="still_running") from None
    roster_import.refresh_from_db()
    return roster_import


def requeue(roster_import: RosterImport, *, commit: bool, actor_id: int | None = None, client_address: str = "",
            **values) -> None:
    """Put the import back to the start of its job and enqueue the job once the caller's
    transaction commits. A duplicate task is harmless: validation claims `uploaded` once,
    and the commit re-checks its status under the school lock."""
    status = ImportStatus.COMMITTING if commit else ImportStatus.UPLOADED
    values = {"status": status, "failure_message": "", "finished_at": None, "worker_heartbeat_at": timezone.now(),
              **values}
    if commit:
        values["committed_by_id"] = actor_id or roster_import.committed_by_id
    else:
        values["processed_rows"] = 0
    RosterImport.objects.filter(pk=roster_import.pk).update(**values)
    for name, value in values.items():
        if not hasattr(value, "resolve_expression"):
            setattr(roster_import, name, value)
    import_id = roster_import.pk
    if commit:
        committer = values["committed_by_id"]
        transaction.on_commit(lambda: _enqueue_commit(import_id, committer, client_address))
    else:
        transaction.on_commit(lambda: _enqueue_validation(import_id))


def _enqueue_commit(import_id: int, actor_id: int, client_address: str) -> None:
    from apps.roster.tasks import commit_roster_import

    commit_roster_import.enqueue(import_id, actor_id, client_address)


class _Rejected(Exception):
    def __init__(self, result: ValidationResult):
        super().__init__("roster import no longer valid")
        self.result = result


def roster_import_run_commit(*, import_id: int, actor_id: int, client_address: str = "") -> None:
    """The commit task's body: re-check and write inside ONE transaction. The rows come from
    the validation (no second parse); only when they are unusable is the file read again."""
    roster_import = RosterImport.objects.select_related("school").filter(
        pk=import_id, status=ImportStatus.COMMITTING
    ).first()
    if roster_import is None:
        return
    _beat(import_id)
    kept_name = roster_import.parsed_rows
    try:
        # read and decrypted before the school lock is taken: the file cannot change while
        # the import is committing
        kept = parsed.load(roster_import)
        actor = User.objects.get(pk=actor_id)
        with transaction.atomic():
            # one commit per school at a time (PostgreSQL; SQLite's write lock does the same)
            School.objects.select_for_update().get(pk=roster_import.school_id)
            # A second task for the same import (re-enqueued by recovery while this one
            # waited in the queue or for the lock) finds it done and writes nothing.
            if not RosterImport.objects.filter(pk=import_id, status=ImportStatus.COMMITTING).exists():
                return
            result = _recheck(roster_import, kept)
            if result.error_count:
                raise _Rejected(result)
            counts = _write(roster_import, result)
            # 全国登记系统报送: every created or changed graduate (both carry this import), in bulk
            registry_enqueue_many(graduate_ids=Graduate.objects.filter(imported_by=roster_import)
                                  .values_list("pk", flat=True), reason=ROSTER, actor=actor)
            # a worker killed here (or anywhere in this block) commits nothing
            checkpoint("roster.commit")
            audit_record(
                actor=actor, action="roster.commit",
                summary=f"导入{roster_import.cohort}届生源：新增{counts['created']}人，更新{counts['updated']}人",
                target=roster_import, school_id=roster_import.school_id, changes=counts,
                client_address=client_address,
            )
            _store_result(roster_import, result, status=ImportStatus.COMMITTED,
                          created_count=counts["created"], updated_count=counts["updated"], parsed_rows="")
            transaction.on_commit(lambda: parsed.discard(kept_name))
    except _Rejected as rejected:
        # refused: a new upload (and validation) is needed, the kept rows are of no more use
        with transaction.atomic():
            _store_result(roster_import, rejected.result, status=ImportStatus.INVALID, parsed_rows="")
            transaction.on_commit(lambda: parsed.discard(kept_name))
    except UnreadableFile:
        _fail(import_id, UNREADABLE)
    except Exception:
        logger.exception("roster import %s: commit crashed, rolled back", import_id)
        _fail(import_id, COMMIT_FAILED)


def _recheck(roster_import: RosterImport, kept: tuple[list[CleanRow], int] | None) -> ValidationResult:
    """What the database says now about the rows validation passed (inside the commit's
    transaction, under the school lock)."""
    if kept is None:
        return _validate_file(roster_import)
    rows, total_rows = kept
    validator = RosterValidator(school=roster_import.school, cohort=roster_import.cohort, mode=roster_import.mode)
    return validator.recheck(rows, total_rows=total_rows)


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

    new, changed, unchanged, moves = [], [], 0, Counter()
    existing = Graduate.objects.in_bulk([r.existing_pk for r in result.rows if r.existing_pk])
    for row in result.rows:
        college_id, major_id = place(row)
        values = {f: row.fields[f] for f in ROSTER_FIELDS if f in row.fields}
        if "id_number" in values:  # bulk writes bypass Graduate.save()
            values["id_last4"] = id_last4_of(values["id_number"])
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
            if "college_id" in differing:  # moved: the per-college counts follow
                moves[(school_id, graduate.college_id)] -= 1
                moves[(school_id, college_id)] += 1
        else:
            unchanged += 1
    Graduate.objects.bulk_create(new, batch_size=500)
    # the maintained counts per college (staff home, province page), in this transaction
    deltas = graduate_counts_for(new)
    deltas.update(moves)  # update adds (and keeps the −1s); Counter's + would drop them
    graduate_counts_add(deltas)
    # One UPDATE per changed record, of the changed columns only: on SQLite this is far
    # faster than bulk_update's CASE expressions over every column.
    now = timezone.now()
    for pk, differing in changed:
        Graduate.objects.filter(pk=pk).update(**differing, imported_by=roster_import, updated_at=now)
    return {
        "rows": result.total_rows, "created": len(new), "updated": len(changed), "unchanged": unchanged,
        "colleges_created": [c.name for c in colleges.values()], "majors_created": len(majors),
    }
