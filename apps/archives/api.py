"""JSON API of 档案转寄登记: the graduate's own record, and the staff list, export and
tracking numbers. Pages and endpoints call the same services."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Router, Schema, Status, UploadedFile

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, SCHOOL_STAFF, require_role
from apps.accounts.scoping import get_visible, visible_to
from apps.archives import services
from apps.archives.models import ArchiveTransfer
from apps.archives.presenters import archive_own, archive_staff_row
from apps.archives.selectors import ArchiveFilters, archive_of_graduate, archives_by_ids, archives_list
from apps.core.api import AUTH, error_body
from apps.core.errors import DomainError, NotFound
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import (
    BodyCohort,
    BodyId,
    OptionalCohort,
    OptionalId,
    PageNumber,
    PageSize,
    api_page_bounds,
)
from apps.graduates.models import Graduate

router = Router(tags=["档案转寄"], auth=AUTH)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ArchiveIn(Schema):
    receiving_unit_name: str = ""
    receiving_department: str = ""
    address_division: str = ""  # six-digit county-level code
    street_address: str = ""
    post_code: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    transfer_method: str = "ems"  # ems | confidential | unit_courier
    accepts_archive: bool = True
    accepts_household: bool = False
    household_address: str = ""
    deferred: bool = False
    deferred_reason: str = ""


class _ArchiveFields(Schema):
    status: str
    status_label: str
    receiving_unit_name: str = ""
    receiving_department: str = ""
    address_division_code: str = ""
    address_division_name: str = ""
    street_address: str = ""
    full_address: str = ""
    post_code: str = ""
    contact_person: str = ""
    transfer_method: str = ""
    transfer_method_label: str = ""
    accepts_archive: bool = True
    accepts_household: bool = False
    household_address: str = ""
    deferred: bool = False
    deferred_reason: str = ""
    tracking_number: str = ""
    sent_at: datetime | None = None
    updated_at: datetime | None = None


class ArchiveOwnOut(_ArchiveFields):
    registered: bool
    editable: bool
    contact_phone: str = ""
    tracking_hint: str = ""


class DefaultsOut(Schema):
    source: str  # destination | origin | none
    message: str
    origin_missing: bool
    values: dict


class ArchiveStaffOut(_ArchiveFields):
    id: int
    graduate_id: int
    student_number: str
    name: str
    cohort: int
    college: str
    contact_phone_masked: str


class ArchivePage(Schema):
    count: int  # exact unless count_capped (then the cap: 「超过 count 条」)
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[ArchiveStaffOut]


class ExportIn(Schema):
    ids: list[BodyId] = []  # empty: the whole filtered list
    cohort: BodyCohort | None = None
    college_id: BodyId | None = None
    status: str = ""
    transfer_method: str = ""
    q: str = ""


class TrackingIn(Schema):
    transfer_id: BodyId | None = None
    graduate_id: BodyId | None = None
    tracking_number: str
    sent_on: date | None = None


class TrackingOut(Schema):
    updated: int
    items: list[ArchiveStaffOut]


class ImportRowOut(Schema):
    row_number: int
    student_number: str
    name: str
    tracking_number: str
    result: str  # ok | unchanged | skipped | error
    message: str


class ImportReportOut(Schema):
    file_name: str
    applied: bool
    updated: int
    error_count: int
    skipped_count: int
    message: str
    rows: list[ImportRowOut]


def _own_graduate(request) -> Graduate:
    require_role(request.user, (Role.GRADUATE,))
    return get_visible(Graduate.objects.select_related("origin_division"), request.user,
                       pk=request.user.graduate_id or 0)


@router.get("/mine", response=ArchiveOwnOut, summary="毕业生本人的档案转寄信息（未登记时 registered=false）")
def my_archive(request):
    graduate = _own_graduate(request)
    return archive_own(archive_of_graduate(actor=request.user, graduate_id=graduate.pk))


@router.get("/mine/defaults", response=DefaultsOut, summary="建议值：就业单位或生源所在地人才服务中心")
def my_defaults(request):
    defaults = services.archive_defaults(_own_graduate(request))
    return {"source": defaults.source, "message": defaults.message, "origin_missing": defaults.origin_missing,
            "values": defaults.values}


@router.put("/mine", response=ArchiveOwnOut, summary="登记或修改本人档案转寄信息（整条记录；寄出后不能修改）")
def put_my_archive(request, payload: ArchiveIn):
    graduate = _own_graduate(request)
    services.archive_save(actor=request.user, graduate=graduate, data=payload.dict(),
                          client_address=client_address(request))
    return archive_own(archive_of_graduate(actor=request.user, graduate_id=graduate.pk))


@router.get("", response=ArchivePage, summary="工作人员：管理范围内的档案转寄登记（分页，联系电话脱敏）")
def list_archives(request, cohort: OptionalCohort = None, college_id: OptionalId = None, status: str = "",
                  transfer_method: str = "", q: str = "", page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, REVIEWERS)
    page, page_size, _ = api_page_bounds(page, page_size)
    qs = archives_list(actor=request.user, filters=ArchiveFilters(
        cohort=cohort, college_id=college_id, status=status, transfer_method=transfer_method, keyword=q))
    listed = bounded_api_page(qs, page=page, page_size=page_size)
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size, "items": [archive_staff_row(t) for t in listed]}


@router.post("/export", summary="工作人员：导出邮寄清单（xlsx；ids 为空时导出筛选结果；联系电话完整，记入审计）")
def export_archives(request, payload: ExportIn):
    require_role(request.user, REVIEWERS)
    filters = ArchiveFilters(cohort=payload.cohort, college_id=payload.college_id, status=payload.status,
                             transfer_method=payload.transfer_method, keyword=payload.q)
    rows = (archives_by_ids(actor=request.user, ids=payload.ids) if payload.ids
            else archives_list(actor=request.user, filters=filters))
    content = services.archive_export(actor=request.user, transfers=rows.iterator(chunk_size=1000),
                                      client_address=client_address(request))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "档案邮寄清单.xlsx")
    return response


@router.post("/tracking", response=TrackingOut,
             summary="学校管理员：登记快递单号（[{transfer_id 或 graduate_id, tracking_number, sent_on?}]，全部成功或全部不变）")
def set_tracking(request, payload: list[TrackingIn]):
    require_role(request.user, SCHOOL_STAFF)
    visible = visible_to(ArchiveTransfer, request.user)
    pairs = []
    for item in payload:
        if item.transfer_id is not None:
            transfer = visible.filter(pk=item.transfer_id).first()
        elif item.graduate_id is not None:
            transfer = visible.filter(graduate_id=item.graduate_id).first()
        else:
            raise DomainError("每一项须给出 transfer_id 或 graduate_id", code="invalid")
        if transfer is None:
            raise NotFound()
        pairs.append((transfer, item.tracking_number, item.sent_on))
    changed = services.archive_set_tracking(actor=request.user, transfers_and_numbers=pairs,
                                            client_address=client_address(request))
    rows = archives_by_ids(actor=request.user, ids=[t.pk for t in changed])
    return {"updated": len(changed), "items": [archive_staff_row(t) for t in rows]}


def _report_out(report: services.TrackingImportReport) -> dict:
    return {"file_name": report.file_name, "applied": report.applied, "updated": report.updated,
            "error_count": report.error_count, "skipped_count": report.skipped_count, "message": report.message,
            "rows": [vars(row) for row in report.rows]}


@router.post("/tracking/import", response={200: ImportReportOut, 400: dict},
             summary="学校管理员：Excel 批量登记快递单号（multipart：file；列 学号、快递单号、寄出日期）")
def import_tracking(request, file: File[UploadedFile]):
    report = services.archive_tracking_import(actor=request.user, uploaded_file=file,
                                              client_address=client_address(request))
    body = _report_out(report)
    if report.applied:
        return body
    fields = {f"第{row.row_number}行": row.message for row in report.errors}
    return Status(400, {**error_body("import_invalid", report.message, fields), "report": body})


@router.get("/{transfer_id}", response=ArchiveStaffOut, summary="一条档案转寄登记（本人或管理范围内的工作人员）")
def get_archive(request, transfer_id: int):
    transfer = get_visible(ArchiveTransfer.objects.select_related("graduate", "college", "address_division"),
                           request.user, pk=transfer_id)
    return archive_staff_row(transfer)
