"""JSON API of 投递 (C9, C12) under /api/v1/applications/. The graduate applies, lists and
reads own applications and withdraws; the employer lists its applicants (all, or one
posting's), reads one (which marks it 已查看), moves it on, reveals the contact and starts
网签 from 录用. Same services as the pages; `state` from the one presenter."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.applications import services
from apps.applications.models import Application
from apps.applications.presenters import application_state
from apps.applications.selectors import (
    EmployerFilters,
    application_get,
    applications_for_employer,
    applications_of_graduate,
    employer_posting_get,
    snapshot_for,
)
from apps.core.api import AUTH
from apps.core.errors import NotFound
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import BodyId, OptionalId, PageNumber, PageSize
from apps.jobs.models import Posting

router = Router(tags=["投递"], auth=AUTH)
GRADUATE = (Role.GRADUATE,)
EMPLOYER = (Role.EMPLOYER,)


class ApplicationActionOut(Schema):
    code: str
    label: str
    url: str
    method: str


class ApplicationStateOut(Schema):
    """What the pages show for this state: title, explanation (with the interview time and
    place), tone (good/warn/bad/info) and what the caller may do next."""

    code: str
    title: str
    text: str
    tone: str
    actions: list[ApplicationActionOut]


class ApplicationPostingRef(Schema):
    id: int
    title: str
    employer: str


class ApplicationGraduateRef(Schema):
    id: int
    name: str
    school: str
    major: str


class ApplicationOut(Schema):
    id: int
    status: str
    status_label: str
    posting: ApplicationPostingRef
    graduate: ApplicationGraduateRef | None = None  # the employer's view
    interview_at: datetime | None
    interview_place: str
    employer_note: str
    created_at: datetime
    status_changed_at: datetime
    state: ApplicationStateOut
    resume: dict | None = None  # the resume as sent (apps/resumes/snapshot.py); detail only


class ApplicationPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[ApplicationOut]


class ApplicationApplyIn(Schema):
    posting_id: BodyId


class ApplicationAdvanceIn(Schema):
    status: str = Field(description="viewed / interview / hired / unsuitable")
    interview_at: datetime | None = Field(None, description="邀请面试时必填，须晚于当前时间")
    interview_place: str = Field("", max_length=200)
    note: str = Field("", max_length=300)


class ApplicationContactOut(Schema):
    phone: str
    email: str


class ApplicationSigningOut(Schema):
    token: str
    expires_at: datetime
    invitation_link: str  # the prefilled invitation form (page)
    prefill: dict  # position_name, position_category_code, work_place for POST /signing/cards/{token}/invitations


def _out(a: Application, *, role: str, detail: bool = False) -> dict:
    employer = a.employer.name if role == Role.GRADUATE else ""
    body = {
        "id": a.pk, "status": a.status, "status_label": a.get_status_display(),
        "posting": {"id": a.posting_id, "title": a.posting.title, "employer": employer},
        "interview_at": a.interview_at, "interview_place": a.interview_place, "employer_note": a.employer_note,
        "created_at": a.created_at, "status_changed_at": a.status_changed_at,
        "state": application_state(a, viewer_role=role).as_dict(),
    }
    if role == Role.EMPLOYER:
        g = a.graduate
        body["graduate"] = {"id": g.pk, "name": g.name, "school": g.school.name, "major": g.major.name}
    if detail:
        body["resume"] = snapshot_for(a, viewer_role=role)
    return body


def _page(qs, *, role: str, page: int, page_size: int) -> dict:
    result = bounded_api_page(qs, page=page, page_size=page_size)
    return {"count": result.total, "count_capped": result.total_capped, "has_next": result.has_next,
            "page": page, "page_size": page_size, "items": [_out(a, role=role) for a in result]}


# --- the graduate ---------------------------------------------------------------------------------

@router.post("", response={201: ApplicationOut}, summary="毕业生投递简历（每个职位只能投递一次；保存此刻的简历）")
def apply_to_posting(request, payload: ApplicationApplyIn):
    require_role(request.user, GRADUATE)
    posting = Posting.objects.filter(pk=payload.posting_id).first()
    if posting is None:
        raise NotFound("职位不存在")
    application = services.application_submit(actor=request.user, posting=posting,
                                              client_address=client_address(request))
    return Status(201, _out(application_get(actor=request.user, pk=application.pk), role=Role.GRADUATE, detail=True))


@router.get("/mine", response=ApplicationPage, summary="毕业生：我的投递（最新在前）")
def my_applications(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, GRADUATE)
    return _page(applications_of_graduate(actor=request.user), role=Role.GRADUATE, page=page, page_size=page_size)


@router.get("/mine/{application_id}", response=ApplicationOut, summary="毕业生：一条投递（状态与投递时的简历）")
def get_application(request, application_id: int):
    require_role(request.user, GRADUATE)
    return _out(application_get(actor=request.user, pk=application_id), role=Role.GRADUATE, detail=True)


@router.post("/mine/{application_id}/withdraw", response=ApplicationOut, summary="毕业生：撤回投递（录用或不合适后不能撤回）")
def withdraw_application(request, application_id: int):
    require_role(request.user, GRADUATE)
    application = application_get(actor=request.user, pk=application_id)
    services.application_withdraw(actor=request.user, application=application, client_address=client_address(request))
    return _out(application_get(actor=request.user, pk=application_id), role=Role.GRADUATE, detail=True)


# --- the employer ---------------------------------------------------------------------------------

@router.get("/employer", response=ApplicationPage, summary="用人单位：收到的投递（可按职位和状态筛选）")
def employer_list_applications(request, posting_id: OptionalId = None, status: str = Query("", max_length=12),
                               page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, EMPLOYER)
    filters = EmployerFilters(posting_id=posting_id, status=status)
    return _page(applications_for_employer(actor=request.user, filters=filters), role=Role.EMPLOYER, page=page,
                 page_size=page_size)


@router.get("/employer/postings/{posting_id}", response=ApplicationPage, summary="用人单位：某个职位的投递者")
def employer_posting_applicants(request, posting_id: int, status: str = Query("", max_length=12),
                                page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, EMPLOYER)
    posting = employer_posting_get(actor=request.user, pk=posting_id)
    filters = EmployerFilters(posting_id=posting.pk, status=status)
    return _page(applications_for_employer(actor=request.user, filters=filters), role=Role.EMPLOYER, page=page,
                 page_size=page_size)


def _employer_application(request, application_id: int) -> Application:
    require_role(request.user, EMPLOYER)
    return application_get(actor=request.user, pk=application_id)


@router.get("/employer/{application_id}", response=ApplicationOut,
            summary="用人单位：一位投递者（投递时的简历；已投递的标记为已查看）")
def employer_get_application(request, application_id: int):
    application = _employer_application(request, application_id)
    services.application_mark_viewed(actor=request.user, application=application, client_address=client_address(request))
    return _out(application_get(actor=request.user, pk=application_id), role=Role.EMPLOYER, detail=True)


@router.post("/employer/{application_id}/advance", response=ApplicationOut,
             summary="用人单位：处理投递（已查看 → 邀请面试（时间、地点） → 录用 / 不合适）")
def employer_advance_application(request, application_id: int, payload: ApplicationAdvanceIn):
    application = _employer_application(request, application_id)
    services.application_advance(actor=request.user, application=application, status=payload.status,
                                 interview_at=payload.interview_at, interview_place=payload.interview_place,
                                 note=payload.note, client_address=client_address(request))
    return _out(application_get(actor=request.user, pk=application_id), role=Role.EMPLOYER, detail=True)


@router.post("/employer/{application_id}/contact", response=ApplicationContactOut,
             summary="用人单位：查看投递者的完整联系方式（留存记录）")
def employer_application_contact(request, application_id: int):
    application = _employer_application(request, application_id)
    return services.application_contact(actor=request.user, application=application,
                                        client_address=client_address(request))


@router.post("/employer/{application_id}/signing", response={201: ApplicationSigningOut},
             summary="用人单位：向已录用的投递者发起网签（随后 POST /signing/cards/{token}/invitations）")
def employer_start_signing(request, application_id: int):
    application = _employer_application(request, application_id)
    card, token, prefill = services.application_signing_start(actor=request.user, application=application,
                                                              client_address=client_address(request))
    return Status(201, {"token": token, "expires_at": card.expires_at, "prefill": prefill,
                        "invitation_link": request.build_absolute_uri(reverse("sign-invite", args=[token]))})

