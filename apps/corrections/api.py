"""JSON API of 毕业生信息反馈 (C3): the graduate files and follows corrections, school and
college staff process the queue. The pages and these endpoints share the services."""

from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from ninja import File, Form, Router, Schema, Status, UploadedFile

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, require_role
from apps.core.api import AUTH
from apps.core.files import private_file_response
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import OptionalId, PageNumber, PageSize, api_page_bounds
from apps.corrections import services
from apps.corrections.models import Correction, CorrectionStatus
from apps.corrections.selectors import (
    ALL_STATUSES,
    CorrectionFilters,
    correction_get,
    correction_image_get,
    corrections_of_graduate,
    corrections_queue,
)
from apps.graduates.models import Graduate

router = Router(tags=["信息纠错"], auth=AUTH)
STAFF_READERS = (*REVIEWERS, Role.PROVINCE_STAFF)


class CorrectionImageOut(Schema):
    id: int
    width: int
    height: int
    size: int
    original_name: str
    url: str


class CorrectionGraduateRef(Schema):
    id: int
    name: str
    student_number: str
    college: str
    id_number_masked: str


class CorrectionOut(Schema):
    id: int
    kind: str
    kind_label: str
    field: str
    field_label: str
    current_value: str
    proposed_value: str  # masked for personal numbers
    explanation: str
    status: str
    status_label: str
    promised_by: date
    created_at: datetime
    decided_at: datetime | None
    decision_note: str
    image_count: int
    images: list[CorrectionImageOut] | None = None
    graduate: CorrectionGraduateRef | None = None


class CorrectionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CorrectionOut]


class CorrectionQueuePage(CorrectionPage):
    count_capped: bool  # count is the cap: 「超过 count 条」
    has_next: bool


class AcceptIn(Schema):
    note: str = ""


class CorrectionRejectIn(Schema):
    reason: str = ""


def _image_url(correction_id: int, image_id: int) -> str:
    return reverse("api:correction_image", kwargs={"correction_id": correction_id, "image_id": image_id})


def _out(c: Correction, *, with_images: bool = False, with_graduate: bool = False) -> dict:
    body = {
        "id": c.pk, "kind": c.kind, "kind_label": c.get_kind_display(), "field": c.field,
        "field_label": c.field_label, "current_value": c.current_value, "proposed_value": c.proposed_display,
        "explanation": c.explanation, "status": c.status, "status_label": c.get_status_display(),
        "promised_by": c.promised_by, "created_at": c.created_at, "decided_at": c.decided_at,
        "decision_note": c.decision_note,
    }
    if with_images:
        images = list(c.images.all())
        body["images"] = [{"id": i.pk, "width": i.width, "height": i.height, "size": i.size,
                           "original_name": i.original_name, "url": _image_url(c.pk, i.pk)} for i in images]
        body["image_count"] = len(images)
    else:
        body["image_count"] = getattr(c, "image_count", 0)
    if with_graduate:
        g = c.graduate
        body["graduate"] = {"id": g.pk, "name": g.name, "student_number": g.student_number,
                            "college": c.college.name, "id_number_masked": g.masked_id_number}
    return body


@router.post("", response={201: CorrectionOut},
             summary="毕业生提交信息反馈（multipart：kind、field、proposed_value、explanation、images，最多4张图片）")
def file_correction(
    request,
    kind: Form[str] = "",
    field: Form[str] = "",
    proposed_value: Form[str] = "",
    explanation: Form[str] = "",
    images: File[list[UploadedFile]] = None,
):
    require_role(request.user, (Role.GRADUATE,))
    graduate = Graduate.objects.get(pk=request.user.graduate_id)
    uploads = list(images or []) or request.FILES.getlist("images[]")  # both spellings of the list
    correction = services.correction_file(
        actor=request.user, graduate=graduate, kind=kind, field=field, proposed_value=proposed_value,
        explanation=explanation, images=uploads, client_address=client_address(request),
    )
    return Status(201, _out(correction_get(actor=request.user, pk=correction.pk), with_images=True))


@router.get("/mine", response=CorrectionPage, summary="毕业生本人的信息反馈（分页，最新在前）")
def my_corrections(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, (Role.GRADUATE,))
    page, page_size, start = api_page_bounds(page, page_size)
    qs = corrections_of_graduate(actor=request.user)
    return {"count": qs.count(), "page": page, "page_size": page_size,
            "items": [_out(c) for c in qs[start: start + page_size]]}


@router.get("", response=CorrectionQueuePage,
            summary="工作人员：信息纠错待办（status 默认 pending，all 为全部；kind、college_id、q 姓名或学号）")
def list_corrections(request, status: str = CorrectionStatus.PENDING, kind: str = "", college_id: OptionalId = None,
                     q: str = "", page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, STAFF_READERS)
    if status not in CorrectionStatus.values and status != ALL_STATUSES:
        status = CorrectionStatus.PENDING
    page, page_size, _ = api_page_bounds(page, page_size)
    qs = corrections_queue(actor=request.user, filters=CorrectionFilters(
        status=status, kind=kind, college_id=college_id, keyword=q), with_id_number=True)
    listed = bounded_api_page(qs, page=page, page_size=page_size)
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size, "items": [_out(c, with_graduate=True) for c in listed]}


@router.get("/{correction_id}", response=CorrectionOut, summary="信息反馈详情（本人或管理范围内的工作人员）")
def get_correction(request, correction_id: int):
    correction = correction_get(actor=request.user, pk=correction_id)
    return _out(correction, with_images=True, with_graduate=request.user.role != Role.GRADUATE)


@router.post("/{correction_id}/withdraw", response=CorrectionOut, summary="毕业生撤回待处理的信息反馈")
def withdraw_correction(request, correction_id: int):
    require_role(request.user, (Role.GRADUATE,))
    correction = correction_get(actor=request.user, pk=correction_id)
    services.correction_withdraw(actor=request.user, correction=correction, client_address=client_address(request))
    return _out(correction_get(actor=request.user, pk=correction_id), with_images=True)


@router.post("/{correction_id}/accept", response=CorrectionOut,
             summary="采纳（学籍/基本信息字段将更新到毕业生信息；其他类型须填写处理说明 note）")
def accept_correction(request, correction_id: int, payload: AcceptIn | None = None):
    require_role(request.user, REVIEWERS)
    correction = correction_get(actor=request.user, pk=correction_id)
    services.correction_accept(actor=request.user, correction=correction, note=(payload.note if payload else ""),
                               client_address=client_address(request))
    return _out(correction_get(actor=request.user, pk=correction_id), with_images=True, with_graduate=True)


@router.post("/{correction_id}/reject", response=CorrectionOut, summary="不采纳（须填写原因 reason）")
def reject_correction(request, correction_id: int, payload: CorrectionRejectIn | None = None):
    require_role(request.user, REVIEWERS)
    correction = correction_get(actor=request.user, pk=correction_id)
    services.correction_reject(actor=request.user, correction=correction, reason=(payload.reason if payload else ""),
                               client_address=client_address(request))
    return _out(correction_get(actor=request.user, pk=correction_id), with_images=True, with_graduate=True)


@router.get("/{correction_id}/images/{image_id}", url_name="correction_image", summary="信息反馈的图片（权限校验后返回文件）")
def correction_image(request, correction_id: int, image_id: int):
    image = correction_image_get(actor=request.user, correction_id=correction_id, image_id=image_id)
    return private_file_response(image.file)
