"""JSON API of 举报 (C9): the graduate files and follows reports; school and province staff
read the queue and decide. The pages and these endpoints share the services and the presenter
(`state`)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from ninja import File, Form, Router, Schema, Status, UploadedFile

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.core.api import AUTH
from apps.core.files import private_file_response
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import PageNumber, PageSize, api_page_bounds
from apps.reports import services
from apps.reports.models import FraudReport, ReportStatus
from apps.reports.presenters import report_state
from apps.reports.reasons import HOTLINE, REASONS, WARNING, reason_label
from apps.reports.selectors import ALL_STATUSES, report_get, report_image_get, reports_of_graduate, reports_queue

router = Router(tags=["举报"], auth=AUTH)
STAFF_READERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


class ReportAction(Schema):
    code: str
    label: str
    url: str
    method: str


class ReportState(Schema):
    code: str
    title: str
    text: str
    tone: str
    actions: list[ReportAction]


class ReportImageOut(Schema):
    id: int
    width: int
    height: int
    size: int
    url: str


class ReportReporterRef(Schema):
    id: int
    name: str
    student_number: str
    school_id: int


class ReportOut(Schema):
    id: int
    reason: str
    reason_label: str
    details: str | None = None  # in the detail only (the lists leave it out)
    employer_id: int
    employer_name: str
    posting_id: int | None
    posting_title: str
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    outcome_note: str
    created_at: datetime
    handled_at: datetime | None
    image_count: int
    images: list[ReportImageOut] | None = None
    reporter: ReportReporterRef | None = None
    state: ReportState


class ReportPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[ReportOut]


class ReportReasonOut(Schema):
    key: str
    label: str
    hint: str


class ReportGuideOut(Schema):
    warning: str
    hotline: str
    max_images: int
    max_details: int
    reasons: list[ReportReasonOut]


class ReportDecideIn(Schema):
    outcome: str = ""
    note: str = ""
    take_down: bool = False
    suspend: bool = False


def _image_url(report_id: int, image_id: int) -> str:
    return reverse("api:report_image", kwargs={"report_id": report_id, "image_id": image_id})


def _out(r: FraudReport, *, user, detail: bool = False, with_reporter: bool = False) -> dict:
    body = {
        "id": r.pk, "reason": r.reason, "reason_label": reason_label(r.reason),
        "employer_id": r.employer_id, "employer_name": r.employer.name,
        "posting_id": r.posting_id, "posting_title": r.posting.title if r.posting_id else "",
        "status": r.status, "status_label": r.get_status_display(), "outcome": r.outcome,
        "outcome_label": r.get_outcome_display() if r.outcome else "", "outcome_note": r.outcome_note,
        "created_at": r.created_at, "handled_at": r.handled_at,
        "state": report_state(r, viewer_role=user.role, actor=user).as_dict(),
    }
    if detail:
        images = list(r.images.all())
        body["details"] = r.details
        body["images"] = [{"id": i.pk, "width": i.width, "height": i.height, "size": i.size,
                           "url": _image_url(r.pk, i.pk)} for i in images]
        body["image_count"] = len(images)
    else:
        body["image_count"] = getattr(r, "image_count", 0)
    if with_reporter:
        g = r.reporter
        body["reporter"] = {"id": g.pk, "name": g.name, "student_number": g.student_number,
                            "school_id": r.school_id}
    return body


@router.get("/guide", response=ReportGuideOut, summary="举报须知：提示语、举报电话、举报类型与图片数量上限")
def report_guide(request):
    require_role(request.user, (Role.GRADUATE,))
    from apps.core.images import MAX_IMAGES_PER_ITEM

    return {"warning": WARNING, "hotline": HOTLINE, "max_images": MAX_IMAGES_PER_ITEM,
            "max_details": services.MAX_DETAILS,
            "reasons": [{"key": r.key, "label": r.label, "hint": r.hint} for r in REASONS]}


@router.post("", response={201: ReportOut},
             summary="毕业生提交举报（multipart：posting 或 employer、reason、details、images，最多4张图片）")
def file_report(
    request,
    posting: Form[str] = "",
    employer: Form[str] = "",
    reason: Form[str] = "",
    details: Form[str] = "",
    images: File[list[UploadedFile]] = None,
):
    require_role(request.user, (Role.GRADUATE,))
    uploads = list(images or []) or request.FILES.getlist("images[]")  # both spellings of the list
    report = services.report_file(
        actor=request.user, posting=posting, employer=employer, reason=reason, details=details,
        images=uploads, client_address=client_address(request),
    )
    return Status(201, _out(report_get(actor=request.user, pk=report.pk), user=request.user, detail=True))


@router.get("/mine", response=ReportPage, summary="毕业生本人的举报（分页，最新在前）")
def my_reports(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, (Role.GRADUATE,))
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(reports_of_graduate(actor=request.user), page=page, page_size=page_size)
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size, "items": [_out(r, user=request.user) for r in listed]}


@router.get("", response=ReportPage,
            summary="工作人员：举报处理队列（status 默认 open 待处理，closed 已处理，all 全部）")
def list_reports(request, status: str = ReportStatus.OPEN, page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, STAFF_READERS)
    if status not in ReportStatus.values and status != ALL_STATUSES:
        status = ReportStatus.OPEN
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(reports_queue(actor=request.user, status=status), page=page, page_size=page_size)
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size, "items": [_out(r, user=request.user, with_reporter=True) for r in listed]}


@router.get("/{report_id}", response=ReportOut, summary="举报详情（举报人本人或管理范围内的学校、省级工作人员）")
def get_report(request, report_id: int):
    require_role(request.user, (Role.GRADUATE, *STAFF_READERS))
    report = report_get(actor=request.user, pk=report_id)
    return _out(report, user=request.user, detail=True, with_reporter=request.user.role != Role.GRADUATE)


@router.post("/{report_id}/decide", response=ReportOut,
             summary="处理举报：outcome（posting_taken_down / employer_suspended / no_fraud）、note 处理说明，"
                     "可同时 take_down 下架职位、suspend 停用单位")
def decide_report(request, report_id: int, payload: ReportDecideIn):
    require_role(request.user, STAFF_READERS)
    report = report_get(actor=request.user, pk=report_id)
    services.report_decide(actor=request.user, report=report, outcome=payload.outcome, note=payload.note,
                           take_down=payload.take_down, suspend=payload.suspend,
                           client_address=client_address(request))
    return _out(report_get(actor=request.user, pk=report_id), user=request.user, detail=True, with_reporter=True)


@router.get("/{report_id}/images/{image_id}", url_name="report_image", summary="举报的证据图片（权限校验后返回文件）")
def report_image(request, report_id: int, image_id: int):
    require_role(request.user, (Role.GRADUATE, *STAFF_READERS))
    image = report_image_get(actor=request.user, report_id=report_id, image_id=image_id)
    return private_file_response(image.file)
