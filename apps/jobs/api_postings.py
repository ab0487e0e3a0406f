"""职位 API (/api/v1/postings/): employers' own postings (list, create, read, edit, submit,
close) and the staff review (queue, read, review, take down).

Strangers' ids answer 404 (`get_visible`), a wrong role 403; every refusal is the platform's
one error shape. The `state` object comes from apps/jobs/presenters.posting_state."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.pagination import PageNumber, PageSize, api_page_bounds
from apps.jobs import presenters
from apps.jobs import services_postings as services
from apps.jobs.models import Posting
from apps.jobs.selectors_postings import (
    employer_posting_get,
    employer_postings,
    queue_filters,
    review_queue,
    staff_posting_get,
)

router = Router(tags=["职位发布与审核"], auth=AUTH)
EMPLOYER = (Role.EMPLOYER,)
STAFF = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


# --- shapes ---------------------------------------------------------------------------------

class JobsPostingActionOut(Schema):
    code: str
    label: str
    url: str
    method: str


class JobsPostingStateOut(Schema):
    code: str
    title: str
    text: str
    tone: str
    actions: list[JobsPostingActionOut]


class JobsPostingPlaceOut(Schema):
    code: str
    name: str


class JobsPostingMajorOut(Schema):
    id: int
    name: str


class JobsPostingSummaryOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    channel: str
    channel_name: str
    employer_name: str
    deadline: date
    submitted_at: datetime | None
    published_at: datetime | None
    view_count: int
    application_count: int
    state: JobsPostingStateOut


class JobsPostingOut(JobsPostingSummaryOut):
    category_code: str
    category_name: str
    openings: int
    education_codes: list[str]
    education_text: str
    majors_text: str
    majors: list[JobsPostingMajorOut]
    places: list[JobsPostingPlaceOut]
    salary_min: int
    salary_max: int
    salary_text: str
    description: str
    contact_name: str
    contact_phone: str
    closed_reason: str
    review_reason: str


class JobsPostingPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[JobsPostingSummaryOut]


class JobsPostingIn(Schema):
    """A posting's fields. On create every field is needed; on update (PATCH) the fields left
    out keep their values. channel: "province" (全省渠道) or a school id (see /channels)."""

    title: str | None = None
    category_code: str | None = None
    openings: int | str | None = None
    education_codes: list[str] | None = None
    majors_text: str | None = None
    major_ids: list[int | str] | None = None
    place_codes: list[str] | None = None
    salary_min: int | str | None = None
    salary_max: int | str | None = None
    description: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    deadline: str | None = None
    channel: str | None = None


class JobsPostingChannelOut(Schema):
    value: str
    label: str


class JobsPostingCloseIn(Schema):
    reason: str = ""  # filled (已招满) or withdrawn (撤下)


class JobsPostingReviewIn(Schema):
    approve: bool
    reason: str = ""


class JobsPostingTakeDownIn(Schema):
    reason: str = ""


def _summary(posting: Posting, user) -> dict:
    role = presenters.viewer_role_of(user)
    return {
        "id": posting.pk, "title": posting.title, "status": posting.status,
        "status_label": posting.get_status_display(), "channel": services.channel_value(posting),
        "channel_name": presenters.channel_text(posting), "employer_name": posting.employer.name,
        "deadline": posting.deadline, "submitted_at": posting.submitted_at, "published_at": posting.published_at,
        "view_count": posting.view_count, "application_count": posting.application_count,
        "state": presenters.posting_state(posting, viewer_role=role, viewer=user).as_dict(),
    }


def _out(posting: Posting, user) -> dict:
    detail = presenters.posting_detail(posting)
    return {
        **_summary(posting, user),
        "category_code": posting.category_code, "category_name": detail["category_name"],
        "openings": posting.openings, "education_codes": list(posting.education_codes),
        "education_text": detail["education_text"], "majors_text": posting.majors_text,
        "majors": detail["majors"], "places": detail["places"], "salary_min": posting.salary_min,
        "salary_max": posting.salary_max, "salary_text": detail["salary_text"], "description": posting.description,
        "contact_name": posting.contact_name, "contact_phone": posting.contact_phone,
        "closed_reason": posting.closed_reason, "review_reason": posting.review_reason,
    }


def current_data(posting: Posting) -> dict:
    """The stored posting as service input (an update changes only what it names)."""
    return {
        "title": posting.title, "category_code": posting.category_code, "openings": posting.openings,
        "education_codes": list(posting.education_codes), "majors_text": posting.majors_text,
        "major_ids": list(posting.majors.values_list("pk", flat=True)),
        "place_codes": list(posting.places.values_list("county_code", flat=True)),
        "salary_min": posting.salary_min, "salary_max": posting.salary_max, "description": posting.description,
        "contact_name": posting.contact_name, "contact_phone": posting.contact_phone,
        "deadline": posting.deadline.isoformat(), "channel": services.channel_value(posting),
    }


def _page(listed, page, page_size, user) -> dict:
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next,
            "page": page, "page_size": page_size, "items": [_summary(p, user) for p in listed]}


# --- employer ----------------------------------------------------------------------------------

@router.get("/channels", response=list[JobsPostingChannelOut], summary="用人单位：可发布的渠道（全省或院校）")
def list_channels(request):
    require_role(request.user, EMPLOYER)
    return [{"value": v, "label": label} for v, label in services.channel_options(request.user.employer)]


@router.get("/mine", response=JobsPostingPage, summary="用人单位：本单位的职位（最新在前；status 筛选）")
def list_mine(request, status: str = "", page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, EMPLOYER)
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(employer_postings(actor=request.user, status=status), page=page, page_size=page_size)
    return _page(listed, page, page_size, request.user)


@router.post("/mine", response={201: JobsPostingOut}, summary="用人单位：新建职位（草稿）")
def create_posting(request, payload: JobsPostingIn):
    require_role(request.user, EMPLOYER)
    posting = services.posting_save(actor=request.user, data=payload.dict())
    return Status(201, _out(employer_posting_get(actor=request.user, pk=posting.pk), request.user))


@router.get("/mine/{posting_id}", response=JobsPostingOut, summary="用人单位：本单位的一个职位")
def get_mine(request, posting_id: int):
    require_role(request.user, EMPLOYER)
    return _out(employer_posting_get(actor=request.user, pk=posting_id), request.user)


@router.patch("/mine/{posting_id}", response=JobsPostingOut,
              summary="用人单位：修改职位（已发布的职位改动实质内容后重新进入审核）")
def update_posting(request, posting_id: int, payload: JobsPostingIn):
    require_role(request.user, EMPLOYER)
    posting = employer_posting_get(actor=request.user, pk=posting_id)
    data = {**current_data(posting), **payload.dict(exclude_unset=True)}
    services.posting_save(actor=request.user, posting=posting, data=data)
    return _out(employer_posting_get(actor=request.user, pk=posting_id), request.user)


@router.post("/mine/{posting_id}/submit", response=JobsPostingOut, summary="用人单位：提交审核")
def submit_posting(request, posting_id: int):
    require_role(request.user, EMPLOYER)
    posting = employer_posting_get(actor=request.user, pk=posting_id)
    services.posting_submit(actor=request.user, posting=posting)
    return _out(employer_posting_get(actor=request.user, pk=posting_id), request.user)


@router.post("/mine/{posting_id}/close", response=JobsPostingOut,
             summary="用人单位：下线职位（reason：filled 已招满，withdrawn 撤下）")
def close_posting(request, posting_id: int, payload: JobsPostingCloseIn):
    require_role(request.user, EMPLOYER)
    posting = employer_posting_get(actor=request.user, pk=posting_id)
    services.posting_close(actor=request.user, posting=posting, reason=payload.reason)
    return _out(employer_posting_get(actor=request.user, pk=posting_id), request.user)


# --- staff -------------------------------------------------------------------------------------

@router.get("/review", response=JobsPostingPage,
            summary="工作人员：职位审核队列（status 默认 pending，all 为全部；省级 channel：province、院校编号或 all）")
def list_queue(request, status: str = "pending", channel: str = "", page: PageNumber = 1,
               page_size: PageSize = 30):
    require_role(request.user, STAFF)
    page, page_size, _ = api_page_bounds(page, page_size)
    qs = review_queue(actor=request.user, filters=queue_filters({"status": status, "channel": channel}))
    listed = bounded_api_page(qs, page=page, page_size=page_size)
    return _page(listed, page, page_size, request.user)


@router.get("/review/{posting_id}", response=JobsPostingOut, summary="工作人员：职位详情")
def get_for_review(request, posting_id: int):
    require_role(request.user, STAFF)
    return _out(staff_posting_get(actor=request.user, pk=posting_id), request.user)


@router.post("/review/{posting_id}", response=JobsPostingOut,
             summary="工作人员：审核职位（approve 通过；驳回须填写 reason）")
def review_posting(request, posting_id: int, payload: JobsPostingReviewIn):
    require_role(request.user, STAFF)
    posting = staff_posting_get(actor=request.user, pk=posting_id)
    services.posting_review(actor=request.user, posting=posting, approve=payload.approve, reason=payload.reason)
    return _out(staff_posting_get(actor=request.user, pk=posting_id), request.user)


@router.post("/review/{posting_id}/take-down", response=JobsPostingOut, summary="工作人员：下架职位（须填写原因）")
def take_down_posting(request, posting_id: int, payload: JobsPostingTakeDownIn):
    require_role(request.user, STAFF)
    posting = staff_posting_get(actor=request.user, pk=posting_id)
    services.posting_take_down(actor=request.user, posting=posting, reason=payload.reason)
    return _out(staff_posting_get(actor=request.user, pk=posting_id), request.user)

