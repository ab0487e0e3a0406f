"""JSON API of 签到 (fairs and 宣讲会) and 到访展位: the graduate checks in with the screen's code and
records booth visits; the event's school staff read the current code (a staff app can show the
QR), check graduates in by their 名片 and read attendance; the employer reads its booth's
visitors and their résumés (consent only). Same services, selectors and presenter as the pages."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import PageNumber, PageSize, api_page_bounds
from apps.fairs import checkin, services_checkin
from apps.fairs import selectors_checkin as sel
from apps.fairs.presenters_checkin import checkin_state
from apps.fairs.rules import visitor_resume_refusal
from apps.resumes.presenters import employer_resume_view
from apps.resumes.snapshot import resume_snapshot

router = Router(tags=["签到"], auth=AUTH)
ATTENDANCE_READERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


class CheckinAction(Schema):
    code: str
    label: str
    url: str
    method: str


class CheckinState(Schema):
    code: str
    title: str
    text: str
    tone: str
    actions: list[CheckinAction]


class CheckinCodeIn(Schema):
    code: str = ""


class CheckinCardIn(Schema):
    card_code: str = ""


class CheckinResultOut(Schema):
    created: bool
    checked_in_at: datetime
    method: str
    method_label: str
    graduate_name: str
    school_name: str
    checkin_count: int
    state: CheckinState


class CheckinCurrentCodeOut(Schema):
    code: str
    url: str
    seconds_left: int
    rotate_seconds: int
    valid_seconds: int
    checkin_open: bool
    checkin_count: int
    state: CheckinState


class CheckinAttendanceRow(Schema):
    id: int
    name: str
    school_name: str
    method: str
    method_label: str
    checked_in_at: datetime


class CheckinAttendancePage(Schema):
    checkin_count: int
    has_next: bool
    page: int
    page_size: int
    items: list[CheckinAttendanceRow]


class CheckinVisitIn(Schema):
    share_resume: bool = False


class CheckinVisitOut(Schema):
    booth_id: int
    employer_name: str
    created: bool
    share_resume: bool
    visited_at: datetime


class CheckinVisitorRow(Schema):
    visit_id: int
    name: str
    school_name: str
    major_name: str
    visited_at: datetime


class CheckinVisitorPage(Schema):
    fair_checkin_count: int
    booth_visit_count: int
    has_next: bool
    page: int
    page_size: int
    items: list[CheckinVisitorRow]
    resume_access_refusal: str = Field("", description="非空时：本单位不能再查看到访毕业生的简历及其原因（items 为空）")


class CheckinVisitorResumeOut(Schema):
    visit_id: int
    resume: dict


def _result(request, event, result) -> dict:
    event.refresh_from_db(fields=["checkin_count"])
    row = result.row
    graduate = result.graduate
    name = graduate.name if request.user.role == Role.GRADUATE else sel.name_for_staff(request.user, graduate)
    return {
        "created": result.created, "checked_in_at": row.checked_in_at, "method": row.method,
        "method_label": row.get_method_display(), "graduate_name": name, "school_name": graduate.school.name,
        "checkin_count": event.checkin_count,
        "state": checkin_state(event, viewer_role=Role.GRADUATE, checkin_row=row, outcome=result.outcome).as_dict(),
    }


# --- graduate ----------------------------------------------------------------------------------

@router.post("/fairs/{fair_id}/scan", response=CheckinResultOut,
             summary="毕业生扫现场二维码签到招聘会（code：二维码中的签到码）；重复签到不重复计数")
def fair_scan(request, fair_id: int, payload: CheckinCodeIn):
    require_role(request.user, (Role.GRADUATE,))
    fair = sel.fair_for_graduate(fair_id)
    result = services_checkin.fair_check_in(actor=request.user, fair=fair, code=payload.code,
                                            client_address=client_address(request))
    return _result(request, fair, result)


@router.post("/sessions/{session_id}/scan", response=CheckinResultOut,
             summary="毕业生扫现场二维码签到宣讲会（code：签到码）")
def session_scan(request, session_id: int, payload: CheckinCodeIn):
    require_role(request.user, (Role.GRADUATE,))
    session = sel.session_for_graduate(session_id)
    result = services_checkin.session_check_in(actor=request.user, session=session, code=payload.code,
                                               client_address=client_address(request))
    return _result(request, session, result)


@router.post("/booths/{booth_id}/visit", response=CheckinVisitOut,
             summary="已签到的毕业生登记到访展位，share_resume：是否同意该单位查看简历（可再次提交修改）")
def booth_visit(request, booth_id: int, payload: CheckinVisitIn):
    require_role(request.user, (Role.GRADUATE,))
    booth = sel.booth_for_graduate(booth_id)
    visit, created = services_checkin.booth_visit_record(actor=request.user, booth=booth,
                                                         share_resume=payload.share_resume,
                                                         client_address=client_address(request))
    return {"booth_id": booth.pk, "employer_name": booth.employer.name, "created": created,
            "share_resume": visit.share_resume, "visited_at": visit.created_at}


# --- staff -------------------------------------------------------------------------------------

def _current_code(request, event) -> dict:
    from django.utils import timezone

    now = timezone.now()
    code = checkin.rotating_code(event.checkin_secret, at=now)
    return {"code": code, "url": checkin.checkin_url(event, code), "seconds_left": checkin.code_seconds_left(at=now),
            "rotate_seconds": checkin.rotate_seconds(), "valid_seconds": checkin.valid_seconds(),
            "checkin_open": checkin.window_phase(event, at=now) == "open", "checkin_count": event.checkin_count,
            "state": checkin_state(event, viewer_role=request.user.role, now=now).as_dict()}


@router.get("/fairs/{fair_id}/code", response=CheckinCurrentCodeOut,
            summary="举办学校工作人员：招聘会当前签到码和二维码链接（每隔 rotate_seconds 秒更新）")
def fair_current_code(request, fair_id: int):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    return _current_code(request, sel.staff_fair_get(actor=request.user, pk=fair_id))


@router.get("/sessions/{session_id}/code", response=CheckinCurrentCodeOut,
            summary="举办学校工作人员：宣讲会当前签到码和二维码链接")
def session_current_code(request, session_id: int):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    return _current_code(request, sel.staff_session_get(actor=request.user, pk=session_id))


@router.post("/fairs/{fair_id}/card", response=CheckinResultOut,
             summary="举办学校工作人员扫描或输入毕业生二维码名片（名片码或扫描到的链接）为其签到招聘会")
def fair_card(request, fair_id: int, payload: CheckinCardIn):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    fair = sel.staff_fair_get(actor=request.user, pk=fair_id)
    result = services_checkin.fair_check_in_card(actor=request.user, fair=fair, card_code=payload.card_code,
                                                 client_address=client_address(request))
    return _result(request, fair, result)


@router.post("/sessions/{session_id}/card", response=CheckinResultOut,
             summary="举办学校工作人员扫描或输入毕业生二维码名片为其签到宣讲会")
def session_card(request, session_id: int, payload: CheckinCardIn):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    session = sel.staff_session_get(actor=request.user, pk=session_id)
    result = services_checkin.session_check_in_card(actor=request.user, session=session,
                                                    card_code=payload.card_code,
                                                    client_address=client_address(request))
    return _result(request, session, result)


def _attendance(request, event, rows, page: int, page_size: int) -> dict:
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(rows, page=page, page_size=page_size, count=False)
    return {"checkin_count": event.checkin_count, "has_next": listed.has_next, "page": page, "page_size": page_size,
            "items": [{"id": r.pk, "name": sel.name_for_staff(request.user, r.graduate),
                       "school_name": r.graduate.school.name, "method": r.method,
                       "method_label": r.get_method_display(), "checked_in_at": r.checked_in_at} for r in listed]}


@router.get("/fairs/{fair_id}/attendance", response=CheckinAttendancePage,
            summary="工作人员：招聘会签到人数和签到记录（最新在前，外校毕业生姓名部分隐去）")
def fair_attendance(request, fair_id: int, page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, ATTENDANCE_READERS)
    fair = sel.staff_fair_get(actor=request.user, pk=fair_id)
    return _attendance(request, fair, sel.fair_attendance(actor=request.user, fair=fair), page, page_size)


@router.get("/sessions/{session_id}/attendance", response=CheckinAttendancePage,
            summary="工作人员：宣讲会签到人数和签到记录")
def session_attendance(request, session_id: int, page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, ATTENDANCE_READERS)
    session = sel.staff_session_get(actor=request.user, pk=session_id)
    return _attendance(request, session, sel.session_attendance(actor=request.user, session=session), page,
                       page_size)


# --- employer ----------------------------------------------------------------------------------

@router.get("/booths/{booth_id}/visitors", response=CheckinVisitorPage,
            summary="用人单位：招聘会签到人数、到访本展位人数，以及到访并同意查看简历的毕业生")
def booth_visitors(request, booth_id: int, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, (Role.EMPLOYER,))
    booth = sel.employer_booth_get(actor=request.user, pk=booth_id)
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(sel.booth_shared_visits(actor=request.user, booth=booth), page=page,
                              page_size=page_size, count=False)
    return {"fair_checkin_count": booth.fair.checkin_count, "booth_visit_count": booth.visit_count,
            "has_next": listed.has_next, "page": page, "page_size": page_size,
            "items": [{"visit_id": v.pk, "name": v.graduate.name, "school_name": v.graduate.school.name,
                       "major_name": v.graduate.major.name, "visited_at": v.created_at} for v in listed],
            "resume_access_refusal": visitor_resume_refusal(booth)}


@router.get("/booths/{booth_id}/visitors/{visit_id}/resume", response=CheckinVisitorResumeOut,
            summary="用人单位：到访并同意查看简历的毕业生的简历（联系电话和邮箱已隐藏）")
def booth_visitor_resume(request, booth_id: int, visit_id: int):
    require_role(request.user, (Role.EMPLOYER,))
    booth = sel.employer_booth_get(actor=request.user, pk=booth_id)
    visit = sel.booth_shared_visit_get(actor=request.user, booth=booth, pk=visit_id)
    return {"visit_id": visit.pk, "resume": employer_resume_view(resume_snapshot(visit.graduate))}
