"""JSON API of the roster import (学校管理员); the pages and these endpoints share the services."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Router, Schema, Status, UploadedFile

from apps.accounts.permissions import SCHOOL_STAFF, require_role
from apps.accounts.scoping import get_visible
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import OptionalCohort, PageNumber, PageSize, api_page_bounds
from apps.reference.selectors import code_labels
from apps.roster import services
from apps.roster.models import ImportMode, RosterImport
from apps.roster.parsing import XLSX_CONTENT_TYPE
from apps.roster.selectors import (
    DUPLICATE_KEYS_PER_PAGE,
    roster_duplicate_groups,
    roster_duplicate_keys,
    roster_imports_visible,
    roster_issues,
)

router = Router(tags=["生源导入"], auth=AUTH)


class ImportOut(Schema):
    id: int
    cohort: int
    mode: str
    status: str
    status_label: str
    original_name: str
    total_rows: int
    processed_rows: int
    error_count: int
    warning_count: int
    created_count: int
    updated_count: int
    failure_message: str
    unlisted_issue_count: int  # issues found beyond the stored ones (另有N条问题未列出)
    retryable: bool  # failed, or its background job stopped: POST …/retry
    uploaded_by: str
    created_at: datetime
    finished_at: datetime | None


class ImportPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ImportOut]


class IssueOut(Schema):
    row_number: int
    column: str
    message: str
    severity: str  # "error" | "warning"


class IssuePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[IssueOut]


class DuplicateMemberOut(Schema):
    id: int
    name: str
    student_number: str
    id_number_masked: str
    college: str
    major: str
    education_level: str


class DuplicateGroupOut(Schema):
    kind: str
    kind_label: str
    total: int  # records in the group; members lists at most the first 20
    members: list[DuplicateMemberOut]


class DuplicatesOut(Schema):
    cohort: int
    count: int  # ID numbers with several records (bounded: see count_capped)
    count_capped: bool  # true: more than `count`
    page: int
    page_size: int  # ID numbers per page; each gives one or two groups
    has_next: bool
    groups: list[DuplicateGroupOut]


def _import_out(imp: RosterImport) -> dict:
    return {
        "id": imp.pk, "cohort": imp.cohort, "mode": imp.mode, "status": imp.status,
        "status_label": imp.get_status_display(), "original_name": imp.original_name,
        "total_rows": imp.total_rows, "processed_rows": imp.processed_rows, "error_count": imp.error_count,
        "warning_count": imp.warning_count, "created_count": imp.created_count, "updated_count": imp.updated_count,
        "failure_message": imp.failure_message, "unlisted_issue_count": imp.unlisted_issue_count,
        "retryable": services.is_retryable(imp), "uploaded_by": str(imp.uploaded_by),
        "created_at": imp.created_at, "finished_at": imp.finished_at,
    }


def _page(page: int, page_size: int) -> tuple[int, int, int]:
    return api_page_bounds(page, page_size)


def _visible_import(request, import_id: int) -> RosterImport:
    require_role(request.user, SCHOOL_STAFF)
    return get_visible(roster_imports_visible(actor=request.user), request.user, pk=import_id)


@router.post("/imports", response={201: ImportOut}, summary="上传生源文件（multipart：file、cohort、mode），后台校验")
def create_import(request, file: File[UploadedFile], cohort: Form[int], mode: Form[str] = ImportMode.CREATE):
    roster_import = services.roster_import_start(
        actor=request.user, uploaded_file=file, cohort=cohort, mode=mode, client_address=client_address(request)
    )
    roster_import.refresh_from_db()
    return Status(201, _import_out(roster_import))


@router.get("/imports", response=ImportPage, summary="本校的导入记录（分页）")
def list_imports(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, SCHOOL_STAFF)
    page, page_size, start = _page(page, page_size)
    qs = roster_imports_visible(actor=request.user)
    return {"count": qs.count(), "page": page, "page_size": page_size,
            "items": [_import_out(i) for i in qs[start : start + page_size]]}


@router.get("/imports/{import_id}", response=ImportOut, summary="导入详情与进度")
def get_import(request, import_id: int):
    return _import_out(_visible_import(request, import_id))


@router.get("/imports/{import_id}/issues", response=IssuePage, summary="逐行校验报告（分页）")
def list_issues(request, import_id: int, page: PageNumber = 1, page_size: PageSize = 50):
    roster_import = _visible_import(request, import_id)
    page, page_size, start = _page(page, page_size)
    qs = roster_issues(actor=request.user, roster_import=roster_import)
    items = [{"row_number": i.row_number, "column": i.column, "message": i.message,
              "severity": "warning" if i.is_warning else "error"} for i in qs[start : start + page_size]]
    return {"count": qs.count(), "page": page, "page_size": page_size, "items": items}


@router.get("/imports/{import_id}/issues.xlsx", summary="下载校验报告（.xlsx）")
def download_issues(request, import_id: int):
    roster_import = _visible_import(request, import_id)
    return _xlsx(services.roster_issues_workbook(roster_import=roster_import), f"校验结果-{roster_import.pk}.xlsx")


@router.post("/imports/{import_id}/commit", response={202: ImportOut}, summary="确认导入（仅校验通过时），后台写入")
def commit_import(request, import_id: int):
    roster_import = _visible_import(request, import_id)
    roster_import = services.roster_import_commit(
        actor=request.user, roster_import=roster_import, client_address=client_address(request)
    )
    return Status(202, _import_out(roster_import))


@router.post("/imports/{import_id}/retry", response={202: ImportOut},
             summary="重试处理失败或后台中断的导入（重新校验，或已确认导入的重新写入）")
def retry_import(request, import_id: int):
    roster_import = _visible_import(request, import_id)
    roster_import = services.roster_import_retry(
        actor=request.user, roster_import=roster_import, client_address=client_address(request)
    )
    return Status(202, _import_out(roster_import))


@router.get("/template", summary="下载生源导入模板（.xlsx）")
def download_template(request):
    require_role(request.user, SCHOOL_STAFF)
    return _xlsx(services.roster_template_workbook(), "生源导入模板.xlsx")


@router.get("/duplicates", response=DuplicatesOut,
            summary="重复的生源记录（学号+姓名+身份证号重复，或身份证号重复），按身份证号分页")
def list_duplicates(request, cohort: OptionalCohort = None, page: PageNumber = 1,
                    page_size: PageSize = DUPLICATE_KEYS_PER_PAGE):
    require_role(request.user, SCHOOL_STAFF)
    cohort = cohort or request.user.school.current_cohort
    levels = code_labels("education_level", "employment-xldm")
    page, page_size, _start = _page(page, page_size)
    keys = bounded_api_page(roster_duplicate_keys(actor=request.user, cohort=cohort), page=page, page_size=page_size)
    groups = [
        {"kind": g.kind, "kind_label": g.kind_label, "total": g.total, "members": [
            {"id": m.pk, "name": m.name, "student_number": m.student_number, "id_number_masked": m.masked_id_number,
             "college": m.college.name, "major": m.major.name,
             "education_level": levels.get(m.education_level_code, m.education_level_code)}
            for m in g.members]}
        for g in roster_duplicate_groups(actor=request.user, cohort=cohort, keys=keys.object_list)
    ]
    return {"cohort": cohort, "count": keys.total, "count_capped": keys.total_capped, "page": keys.number,
            "page_size": page_size, "has_next": keys.has_next, "groups": groups}


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
