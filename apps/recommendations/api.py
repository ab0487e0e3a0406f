"""JSON API of 就业推荐表 (C10): the graduate reads the state, asks for a form and downloads the
issued PDF; college staff (their college) and school staff (their school) read the queue and one
graduate's forms, issue, reissue and void. The pages and these endpoints share the services and
the presenter (`state`). Public verification is the page /verify/<code>/."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, require_role
from apps.core.api import AUTH
from apps.core.files import private_file_response
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import PageNumber, PageSize, api_page_bounds
from apps.recommendations import documents, selectors, services
from apps.recommendations.models import RecommendationForm, RecommendationStatus
from apps.recommendations.presenters import recommendation_state

router = Router(tags=["就业推荐表"], auth=AUTH)
GRADUATE = (Role.GRADUATE,)


class RecommendationAction(Schema):
    code: str
    label: str
    url: str
    method: str


class RecommendationState(Schema):
    code: str
    title: str
    text: str
    tone: str
    actions: list[RecommendationAction]


class RecommendationFormOut(Schema):
    id: int
    graduate_id: int
    status: str
    status_label: str
    requested_at: datetime | None
    verification_code: str | None
    opinion: str | None = None  # issued / void forms, in the detail
    reviewer_name: str
    opinion_date: date | None
    issued_at: datetime | None
    voided_at: datetime | None
    void_reason: str
    replaced_by_id: int | None
    state: RecommendationState


class RecommendationMineOut(Schema):
    state: RecommendationState
    current: RecommendationFormOut | None
    issued: RecommendationFormOut | None
    forms: list[RecommendationFormOut]


class RecommendationQueueRow(RecommendationFormOut):
    graduate_name: str
    student_number: str
    college: str


class RecommendationPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[RecommendationQueueRow]


class RecommendationStaffOut(Schema):
    graduate_id: int
    graduate_name: str
    student_number: str
    school: str
    college: str
    may_issue: bool
    issue_refusal: str
    state: RecommendationState
    forms: list[RecommendationFormOut]
    preview: dict  # what 签发 would write into the form now (生源 facts + résumé summary)


class RecommendationIssueIn(Schema):
    opinion: str = ""
    reviewer_name: str = ""
    opinion_date: str = ""  # YYYY-MM-DD, not after today


class RecommendationVoidIn(Schema):
    reason: str = ""


def _out(form: RecommendationForm, *, user, detail: bool = True) -> dict:
    return {
        "id": form.pk, "graduate_id": form.graduate_id, "status": form.status,
        "status_label": form.get_status_display(), "requested_at": form.requested_at,
        "verification_code": form.verification_code,
        "opinion": form.opinion if detail and form.status != RecommendationStatus.REQUESTED else None,
        "reviewer_name": form.reviewer_name, "opinion_date": form.opinion_date, "issued_at": form.issued_at,
        "voided_at": form.voided_at, "void_reason": form.void_reason, "replaced_by_id": form.replaced_by_id,
        "state": recommendation_state(form, viewer_role=user.role).as_dict(),
    }


def _mine(user) -> dict:
    forms = selectors.forms_of_graduate(actor=user, graduate_id=user.graduate_id)
    current, issued = selectors.current_form(forms), selectors.issued_form(forms)
    return {"state": recommendation_state(current, viewer_role=user.role).as_dict(),
            "current": _out(current, user=user) if current else None,
            "issued": _out(issued, user=user) if issued else None,
            "forms": [_out(f, user=user) for f in forms]}


@router.get("/mine", response=RecommendationMineOut, summary="毕业生：本人的就业推荐表状态与历史")
def my_recommendation(request):
    require_role(request.user, GRADUATE)
    return _mine(request.user)


@router.post("/request", response={201: RecommendationMineOut},
             summary="毕业生：申请就业推荐表（已签发时即申请重新签发；已有申请在等待时拒绝）")
def request_recommendation(request):
    require_role(request.user, GRADUATE)
    services.recommendation_request(actor=request.user, client_address=client_address(request))
    return Status(201, _mine(request.user))


@router.get("/mine/pdf", summary="毕业生：下载本人当前有效的就业推荐表PDF")
def my_recommendation_pdf(request):
    require_role(request.user, GRADUATE)
    form = documents.recommendation_pdf_ensure(selectors.own_issued_form(actor=request.user))
    return private_file_response(form.pdf, download_name=f"就业推荐表-{form.graduate.name}.pdf", inline=False)


@router.get("", response=RecommendationPage,
            summary="院系、学校工作人员：推荐表队列（status 默认 requested 待院系填写；issued、void、all；q 姓名或学号）")
def list_recommendations(request, status: str = RecommendationStatus.REQUESTED, q: str = "",
                         page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, REVIEWERS)
    if status not in RecommendationStatus.values and status != selectors.ALL_STATUSES:
        status = RecommendationStatus.REQUESTED
    page, page_size, _ = api_page_bounds(page, page_size)
    queue = selectors.recommendations_queue(actor=request.user, status=status, keyword=q.strip()[:50])
    listed = bounded_api_page(queue, page=page, page_size=page_size)
    items = [{**_out(f, user=request.user, detail=False), "graduate_name": f.graduate.name,
              "student_number": f.graduate.student_number, "college": f.college.name} for f in listed]
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size, "items": items}


def _staff(request, graduate_id: int) -> dict:
    graduate = selectors.graduate_get(actor=request.user, pk=graduate_id)
    forms = selectors.forms_of_graduate(actor=request.user, graduate_id=graduate.pk)
    refusal = services.recommendation_issue_refusal(request.user, graduate)
    return {"graduate_id": graduate.pk, "graduate_name": graduate.name, "student_number": graduate.student_number,
            "school": graduate.school.name, "college": graduate.college.name, "may_issue": not refusal,
            "issue_refusal": refusal,
            "state": recommendation_state(selectors.current_form(forms), viewer_role=request.user.role).as_dict(),
            "forms": [_out(f, user=request.user) for f in forms],
            "preview": documents.recommendation_content(graduate)}


@router.get("/graduates/{graduate_id}", response=RecommendationStaffOut,
            summary="院系、学校工作人员：一名毕业生的推荐表、内容预览与状态")
def staff_recommendation(request, graduate_id: int):
    require_role(request.user, REVIEWERS)
    return _staff(request, graduate_id)


@router.post("/graduates/{graduate_id}/issue", response={201: RecommendationStaffOut},
             summary="签发（或重新签发）就业推荐表：opinion 院系推荐意见、reviewer_name 审核人、opinion_date；"
                     "已签发的推荐表随之作废")
def issue_recommendation(request, graduate_id: int, payload: RecommendationIssueIn):
    require_role(request.user, REVIEWERS)
    graduate = selectors.graduate_get(actor=request.user, pk=graduate_id)
    services.recommendation_issue(actor=request.user, graduate=graduate, opinion=payload.opinion,
                                  reviewer_name=payload.reviewer_name, opinion_date=payload.opinion_date,
                                  client_address=client_address(request))
    return Status(201, _staff(request, graduate_id))


@router.post("/forms/{form_id}/void", response=RecommendationFormOut, summary="作废已签发的推荐表（reason 作废原因）")
def void_recommendation(request, form_id: int, payload: RecommendationVoidIn):
    require_role(request.user, REVIEWERS)
    form = selectors.form_get(actor=request.user, pk=form_id)
    services.recommendation_void(actor=request.user, form=form, reason=payload.reason,
                                 client_address=client_address(request))
    return _out(selectors.form_get(actor=request.user, pk=form_id), user=request.user)


@router.get("/forms/{form_id}/pdf", summary="院系、学校工作人员：下载推荐表PDF（含已作废的）")
def recommendation_pdf(request, form_id: int):
    require_role(request.user, REVIEWERS)
    form = documents.recommendation_pdf_ensure(selectors.form_get(actor=request.user, pk=form_id))
    return private_file_response(form.pdf, download_name=f"就业推荐表-{form.graduate.name}.pdf", inline=False)
