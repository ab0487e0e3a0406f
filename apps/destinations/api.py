"""毕业去向登记 API: the graduate's form, uploads and status; the staff review queue.

Strangers' ids answer 404 (`get_visible`), a wrong role 403 (`require_role`); every
refusal is the platform's one error shape."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Prefetch
from ninja import File, Router, Schema, Status, UploadedFile

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, require_role
from apps.accounts.scoping import get_visible, visible_to
from apps.core.api import AUTH
from apps.core.files import private_file_response
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import BodyId, OptionalId, PageNumber, PageSize, api_page_bounds
from apps.destinations import catalog, presenters
from apps.destinations.forms import queue_filters
from apps.destinations.models import Destination, ProofImage
from apps.destinations.selectors import destination_of, review_queue
from apps.destinations.services import (
    destination_add_image,
    destination_batch_approve,
    destination_delete_image,
    destination_review,
    destination_save,
    destination_submit,
)
from apps.graduates.models import Graduate

router = Router(tags=["毕业去向登记"], auth=AUTH)
GRADUATE = (Role.GRADUATE,)
READERS = (*REVIEWERS, Role.PROVINCE_STAFF)  # 省级 reads the lists; reviewing stays with reviewers


# --- shapes ---------------------------------------------------------------------------------

class FieldOut(Schema):
    field: str
    label: str
    required: bool
    kind: str
    code_table: str


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    parent_code: str
    fields: list[FieldOut]
    proof: str
    proof_required: bool
    selectable: bool
    allows_signing: bool


class DestinationImageOut(Schema):
    id: int
    width: int
    height: int
    size: int
    url: str
    created_at: datetime


class DisplayRow(Schema):
    field: str
    label: str
    required: bool
    value: str


class DestinationOut(Schema):
    id: int
    category_code: str
    category_name: str
    status: str
    status_label: str
    source: str
    source_label: str
    fields: dict[str, str]
    display: list[DisplayRow]
    credit_code_flagged: bool
    return_reason: str
    proof: str
    proof_required: bool
    submitted_at: datetime | None
    college_reviewed_at: datetime | None
    school_reviewed_at: datetime | None
    updated_at: datetime
    images: list[DestinationImageOut]


class DestinationStateOut(Schema):
    """What the person reads and may do next (the same dict the pages show)."""

    key: str
    status: str
    online_signed: bool
    title: str
    status_label: str
    return_reason: str
    badge: str
    explanation: str
    actions: list[str]
    editable: bool
    may_review: bool
    after_cutoff: bool
    cutoff_on: date | None


class DestinationMineOut(Schema):
    registered: bool
    status: str
    status_label: str
    editable: bool
    edit_block_reason: str
    max_images: int
    four_donts: str
    destination: DestinationOut | None
    state: DestinationStateOut


class MineIn(Schema):
    """The chosen category and its fields (see GET /destinations/categories); fields outside
    the category's field set are ignored and cleared."""

    category_code: str
    unit_name: str | None = None
    credit_code: str | None = None
    unit_nature_code: str | None = None
    industry_code: str | None = None
    unit_division: str | None = None
    unit_address: str | None = None
    position_category_code: str | None = None
    sign_date: str | None = None
    unit_contact: str | None = None
    unit_contact_phone: str | None = None
    description: str | None = None
    study_school: str | None = None
    study_major: str | None = None
    country_region: str | None = None
    abroad_school_cn: str | None = None
    abroad_school_foreign: str | None = None
    abroad_major_cn: str | None = None
    abroad_major_foreign: str | None = None


class DestinationGraduateRef(Schema):
    id: int
    name: str
    student_number: str
    cohort: int
    college: str
    major: str
    phone_masked: str


class StaffDetailOut(DestinationOut):
    graduate: DestinationGraduateRef
    can_review: bool
    state: DestinationStateOut


class QueueItemOut(Schema):
    id: int
    graduate_id: int
    student_number: str
    name: str
    college: str
    major: str
    category_code: str
    category_name: str
    status: str
    status_label: str
    headline: str
    image_count: int
    credit_code_flagged: bool
    submitted_at: datetime | None


class QueuePage(Schema):
    count: int  # exact unless count_capped (then the cap: 「超过 count 条」)
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    status: str
    items: list[QueueItemOut]


class ReturnIn(Schema):
    reason: str = ""


class BatchIn(Schema):
    ids: list[BodyId]


class BatchOut(Schema):
    approved: list[int]
    refused: dict[str, str]


# --- public ---------------------------------------------------------------------------------

@router.get("/categories", response=list[CategoryOut], auth=None,
            summary="毕业去向分类：各类登记内容（必填项）、审核依据、是否可自行登记、是否可网签")
def list_categories(request):
    return [presenters.category_info(c) for c in catalog.categories()]


# --- the graduate ------------------------------------------------------------------------------

def _own_graduate(request) -> Graduate:
    require_role(request.user, GRADUATE)
    return get_visible(Graduate.objects.select_related("school"), request.user, pk=request.user.graduate_id or 0)


def _mine(request, graduate: Graduate) -> dict:
    return presenters.own_info(request.user, graduate, destination_of(graduate.pk))


@router.get("/mine", response=DestinationMineOut, summary="毕业生本人：当前毕业去向、审核状态与证明材料")
def get_mine(request):
    return _mine(request, _own_graduate(request))


@router.put("/mine", response=DestinationMineOut, summary="毕业生本人：登记或修改毕业去向（保存为未提交）")
def put_mine(request, payload: MineIn):
    graduate = _own_graduate(request)
    data = payload.dict()
    category_code = data.pop("category_code")
    destination_save(actor=request.user, graduate=graduate, category_code=category_code, data=data,
                     client_address=client_address(request))
    return _mine(request, graduate)


@router.post("/mine/images", response={201: DestinationImageOut},
             summary="毕业生本人：上传一张证明材料（multipart 字段 image；最多4张，自动去除EXIF并压缩至300KB内）")
def add_image(request, image: File[UploadedFile]):
    graduate = _own_graduate(request)
    created = destination_add_image(actor=request.user, graduate=graduate, uploaded=image,
                                    client_address=client_address(request))
    return Status(201, presenters.image_info(created))


@router.delete("/mine/images/{image_id}", response={204: None}, summary="毕业生本人：提交前删除一张证明材料")
def delete_image(request, image_id: int):
    require_role(request.user, GRADUATE)
    image = get_visible(ProofImage, request.user, pk=image_id)
    destination_delete_image(actor=request.user, image=image, client_address=client_address(request))
    return Status(204, None)


@router.post("/mine/submit", response=DestinationMineOut, summary="毕业生本人：提交审核")
def submit_mine(request):
    graduate = _own_graduate(request)
    destination_submit(actor=request.user, graduate=graduate, client_address=client_address(request))
    return _mine(request, graduate)


@router.get("/images/{image_id}", url_name="destination_image",
            summary="证明材料图片（本人或管理范围内的审核人员）")
def get_image(request, image_id: int):
    image = get_visible(ProofImage, request.user, pk=image_id)
    return private_file_response(image.file)


# --- staff review ---------------------------------------------------------------------------

@router.get("", response=QueuePage,
            summary="工作人员：去向审核列表（默认院系看待审核、学校看初审通过；status=all 为全部；省级只读）")
def list_queue(
    request,
    status: str | None = None,
    category_code: str = "",
    college_id: OptionalId = None,
    major_id: OptionalId = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    q: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 30,
):
    require_role(request.user, READERS)
    params = {"category": category_code, "college": college_id, "major": major_id, "q": q,
              "from": submitted_from.isoformat() if submitted_from else "",
              "to": submitted_to.isoformat() if submitted_to else ""}
    if status is not None:
        params["status"] = status
    filters, effective_status = queue_filters(request.user, params)
    page, page_size, _ = api_page_bounds(page, page_size)
    qs = review_queue(actor=request.user, filters=filters).prefetch_related(
        Prefetch("images", queryset=ProofImage.objects.only("id", "destination_id")))
    listed = bounded_api_page(qs, page=page, page_size=page_size)
    names = presenters.category_names()
    return {
        "count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
        "page_size": page_size, "status": effective_status,
        "items": [presenters.queue_item(d, names) for d in listed],
    }


def _staff_destination(request, destination_id: int, roles=REVIEWERS) -> Destination:
    require_role(request.user, roles)
    return get_visible(
        Destination.objects.select_related("graduate", "graduate__major", "college", "unit_division")
        .prefetch_related("images"), request.user, pk=destination_id)


@router.post("/batch-approve", response=BatchOut, summary="审核人员：批量通过（逐条校验，未通过的给出原因）")
def batch_approve(request, payload: BatchIn):
    require_role(request.user, REVIEWERS)
    ids = list(dict.fromkeys(payload.ids))[:500]
    found = list(visible_to(Destination, request.user).filter(pk__in=ids).order_by("pk"))
    result = destination_batch_approve(actor=request.user, destinations=found, client_address=client_address(request))
    refused = {str(pk): message for pk, message in result["refused"].items()}
    for pk in set(ids) - {d.pk for d in found}:
        refused[str(pk)] = "记录不存在或无权访问"
    return {"approved": result["approved"], "refused": refused}


@router.get("/{destination_id}", response=StaffDetailOut, summary="工作人员：去向详情（含证明材料；省级只读）")
def get_destination(request, destination_id: int):
    destination = _staff_destination(request, destination_id, READERS)
    return presenters.staff_detail_info(request.user, destination)


@router.post("/{destination_id}/approve", response=StaffDetailOut, summary="审核人员：通过（院系初审 / 学校终审）")
def approve(request, destination_id: int):
    destination = _staff_destination(request, destination_id)
    destination_review(actor=request.user, destination=destination, approve=True, client_address=client_address(request))
    return presenters.staff_detail_info(request.user, _staff_destination(request, destination_id))


@router.post("/{destination_id}/return", response=StaffDetailOut, summary="审核人员：退回（须填写原因）")
def return_destination(request, destination_id: int, payload: ReturnIn):
    destination = _staff_destination(request, destination_id)
    destination_review(actor=request.user, destination=destination, approve=False, reason=payload.reason,
                       client_address=client_address(request))
    return presenters.staff_detail_info(request.user, _staff_destination(request, destination_id))
