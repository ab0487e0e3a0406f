"""JSON API of 招聘会 (mounted at /api/v1/fairs/): school staff publish, edit, cancel, list and
decide booth applications (province staff read); employers list the fairs of their channel,
apply, withdraw and follow their applications; graduates list upcoming fairs, read one with
its employers and postings and register interest. The pages and these endpoints share the
services and the presenters (`state`)."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.pagination import BodyId, PageNumber, PageSize, api_page_bounds
from apps.fairs import services
from apps.fairs.models import ACTIVE_BOOTH_STATUSES, BoothStatus, FairBooth, JobFair
from apps.fairs.presenters import booth_state, fair_state, graduate_fair_state, graduate_fair_view
from apps.fairs.selectors import (
    employer_booth_get,
    employer_booths,
    employer_booths_of_fair,
    employer_fair_get,
    employer_fairs,
    fair_booths,
    fair_employers_for_graduate,
    fairs_open_to,
    graduate_fair_get,
    interested_fair_ids,
    staff_booth_get,
    staff_fair_get,
    staff_fairs,
)
from apps.fairs.selectors_checkin import checked_in_fair_ids

router = Router(tags=["招聘会"], auth=AUTH)
STAFF_READERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


class FairsAction(Schema):
    code: str
    label: str
    url: str
    method: str


class FairsState(Schema):
    code: str
    title: str
    text: str
    tone: str
    actions: list[FairsAction]


class FairOut(Schema):
    id: int
    school_id: int
    school_name: str
    kind: str
    kind_label: str
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    booth_count: int
    approved_booths: int
    remaining_booths: int
    audience: str
    audience_label: str
    apply_deadline: datetime
    description: str | None = None
    status: str
    interest_count: int | None = None
    interested: bool | None = None
    cancel_reason: str
    state: FairsState


class FairPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[FairOut]


class FairIn(Schema):
    kind: str = ""
    title: str = ""
    starts_at: str = ""
    ends_at: str = ""
    venue: str = ""
    booth_count: int | str = ""
    audience: str = ""
    apply_deadline: str = ""
    description: str = ""


class FairCancelIn(Schema):
    reason: str = ""


class FairPostingRef(Schema):
    id: int
    title: str


class FairBoothOut(Schema):
    id: int
    fair_id: int
    employer_id: int
    employer_name: str
    status: str
    status_label: str
    booth_number: int | None
    waiting_since: datetime | None
    reason: str
    contact_name: str | None = None
    contact_phone: str | None = None
    note: str | None = None
    created_at: datetime
    postings: list[FairPostingRef]
    state: FairsState


class FairBoothPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[FairBoothOut]


class FairBoothDecideIn(Schema):
    action: str = ""
    reason: str = ""


class FairBoothApplyIn(Schema):
    posting_ids: list[BodyId] = []
    contact_name: str = ""
    contact_phone: str = ""
    note: str = ""


class FairEmployerDetailOut(Schema):
    fair: FairOut
    booths: list[FairBoothOut]
    apply_refusal: str


class FairBoothForGraduate(Schema):
    id: int
    booth_number: int | None
    employer_id: int
    employer_name: str
    postings: list[FairPostingRef]


class FairGraduateDetailOut(Schema):
    fair: FairOut
    employers: list[FairBoothForGraduate]
    has_next: bool


class FairInterestIn(Schema):
    interested: bool | None = None


class FairInterestOut(Schema):
    interested: bool
    interest_count: int


def _fair(f: JobFair, *, detail: bool = False, counts: bool = False, interested: bool | None = None,
          state=None) -> dict:
    """`state`: the graduate's (graduate_fair_state); staff and employers read fair_state."""
    return {
        "id": f.pk, "school_id": f.school_id, "school_name": f.school.name, "kind": f.kind,
        "kind_label": f.get_kind_display(), "title": f.title, "starts_at": f.starts_at, "ends_at": f.ends_at,
        "venue": f.venue, "booth_count": f.booth_count, "approved_booths": f.approved_booths,
        "remaining_booths": max(f.booth_count - f.approved_booths, 0), "audience": f.audience,
        "audience_label": f.get_audience_display(), "apply_deadline": f.apply_deadline,
        "description": f.description if detail else None, "status": f.status,
        "interest_count": f.interest_count if counts else None, "interested": interested,
        "cancel_reason": f.cancel_reason, "state": (state or fair_state(f)).as_dict(),
    }


def _booth(b: FairBooth, *, role: str, fair: JobFair | None = None, position: int | None = None,
           contacts: bool = False) -> dict:
    return {
        "id": b.pk, "fair_id": b.fair_id, "employer_id": b.employer_id, "employer_name": b.employer.name,
        "status": b.status, "status_label": b.get_status_display(), "booth_number": b.booth_number,
        "waiting_since": b.waiting_since, "reason": b.reason,
        "contact_name": b.contact_name if contacts else None, "contact_phone": b.contact_phone if contacts else None,
        "note": b.note if contacts else None, "created_at": b.created_at,
        "postings": [{"id": p.pk, "title": p.title} for p in b.postings.all()],
        "state": booth_state(b, viewer_role=role, fair=fair, position=position).as_dict(),
    }


def _page(listed, page: int, page_size: int, items: list) -> dict:
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size, "items": items}


# --- staff ------------------------------------------------------------------------------

@router.get("/staff", response=FairPage, summary="工作人员：招聘会列表（ended=false 未结束的按开始时间，true 已结束的最近在前）")
def fairs_staff_list(request, ended: bool = False, page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, STAFF_READERS)
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(staff_fairs(actor=request.user, ended=ended), page=page, page_size=page_size)
    return _page(listed, page, page_size, [_fair(f, counts=True) for f in listed])


@router.post("/staff", response={201: FairOut},
             summary="学校工作人员发布招聘会（时间为 年-月-日T时:分，本地时间；展位数1–500）")
def fairs_staff_publish(request, payload: FairIn):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    fair = services.fair_publish(actor=request.user, **payload.dict())
    return Status(201, _fair(staff_fair_get(actor=request.user, pk=fair.pk), detail=True, counts=True))


@router.get("/staff/{fair_id}", response=FairOut, summary="工作人员：招聘会详情")
def fairs_staff_get(request, fair_id: int):
    require_role(request.user, STAFF_READERS)
    return _fair(staff_fair_get(actor=request.user, pk=fair_id), detail=True, counts=True)


@router.put("/staff/{fair_id}", response=FairOut, summary="学校工作人员修改招聘会（开始前；展位数不少于已通过数，增加时候补自动转正）")
def fairs_staff_update(request, fair_id: int, payload: FairIn):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    fair = staff_fair_get(actor=request.user, pk=fair_id)
    services.fair_update(actor=request.user, fair=fair, **payload.dict())
    return _fair(staff_fair_get(actor=request.user, pk=fair_id), detail=True, counts=True)


@router.post("/staff/{fair_id}/cancel", response=FairOut, summary="学校工作人员取消招聘会（reason 必填，通知报名毕业生和申请单位）")
def fairs_staff_cancel(request, fair_id: int, payload: FairCancelIn):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    fair = staff_fair_get(actor=request.user, pk=fair_id)
    services.fair_cancel(actor=request.user, fair=fair, reason=payload.reason)
    return _fair(staff_fair_get(actor=request.user, pk=fair_id), detail=True, counts=True)


@router.get("/staff/{fair_id}/booths", response=FairBoothPage,
            summary="工作人员：某状态的展位申请（status 默认 pending；waiting 为候补顺序）")
def fairs_staff_booths(request, fair_id: int, status: str = BoothStatus.PENDING, page: PageNumber = 1,
                       page_size: PageSize = 50):
    require_role(request.user, STAFF_READERS)
    fair = staff_fair_get(actor=request.user, pk=fair_id)
    if status not in BoothStatus.values:
        status = BoothStatus.PENDING
    page, page_size, offset = api_page_bounds(page, page_size)
    listed = bounded_api_page(fair_booths(fair, status=status), page=page, page_size=page_size)
    waiting = status == BoothStatus.WAITING
    role = request.user.role
    items = [_booth(b, role=role, fair=fair, position=offset + n if waiting else None,
                    contacts=role == Role.SCHOOL_STAFF) for n, b in enumerate(listed, start=1)]
    return _page(listed, page, page_size, items)


@router.post("/staff/{fair_id}/booths/{booth_id}/decide", response=FairBoothOut,
             summary="学校工作人员处理展位申请：action=approve（有空位即通过，否则进入候补）/ reject / remove，"
                     "驳回和取消参会须填 reason")
def fairs_staff_booth_decide(request, fair_id: int, booth_id: int, payload: FairBoothDecideIn):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    fair = staff_fair_get(actor=request.user, pk=fair_id)
    booth = staff_booth_get(actor=request.user, fair=fair, booth_id=booth_id)
    services.booth_decide(actor=request.user, booth=booth, action=payload.action, reason=payload.reason)
    booth = staff_booth_get(actor=request.user, fair=fair, booth_id=booth_id)
    return _booth(booth, role=request.user.role, contacts=True)


# --- employers --------------------------------------------------------------------------

@router.get("/employer", response=FairPage, summary="用人单位：本单位认证范围内尚未结束的招聘会")
def fairs_employer_list(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, (Role.EMPLOYER,))
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(employer_fairs(actor=request.user), page=page, page_size=page_size, count=False)
    return _page(listed, page, page_size, [_fair(f) for f in listed])


@router.get("/employer/booths", response=FairBoothPage, summary="用人单位：本单位的展位申请（最新在前）")
def fairs_employer_booths(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, (Role.EMPLOYER,))
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(employer_booths(actor=request.user).select_related("employer")
                              .prefetch_related("postings"), page=page, page_size=page_size, count=False)
    return _page(listed, page, page_size, [_booth(b, role=Role.EMPLOYER, contacts=True) for b in listed])


@router.get("/employer/{fair_id}", response=FairEmployerDetailOut, summary="用人单位：招聘会详情与本单位的申请")
def fairs_employer_get(request, fair_id: int):
    require_role(request.user, (Role.EMPLOYER,))
    fair = employer_fair_get(actor=request.user, pk=fair_id)
    booths = employer_booths_of_fair(actor=request.user, fair=fair)
    live = any(b.status in ACTIVE_BOOTH_STATUSES for b in booths)
    return {"fair": _fair(fair, detail=True),
            "booths": [_booth(b, role=Role.EMPLOYER, fair=fair, contacts=True) for b in booths],
            "apply_refusal": "" if live else services.apply_refusal(fair, request.user.employer)}


@router.post("/employer/{fair_id}/booths", response={201: FairBoothOut},
             summary="用人单位申请展位：posting_ids 携带的本单位已发布职位、contact_name、contact_phone、note")
def fairs_employer_apply(request, fair_id: int, payload: FairBoothApplyIn):
    require_role(request.user, (Role.EMPLOYER,))
    fair = employer_fair_get(actor=request.user, pk=fair_id)
    booth = services.booth_apply(actor=request.user, fair=fair, posting_ids=payload.posting_ids,
                                 contact_name=payload.contact_name, contact_phone=payload.contact_phone,
                                 note=payload.note)
    return Status(201, _booth(employer_booth_get(actor=request.user, pk=booth.pk), role=Role.EMPLOYER,
                              contacts=True))


@router.post("/employer/booths/{booth_id}/withdraw", response=FairBoothOut,
             summary="用人单位撤回展位申请（招聘会开始前；已通过的展位由候补递补）")
def fairs_employer_withdraw(request, booth_id: int):
    require_role(request.user, (Role.EMPLOYER,))
    booth = employer_booth_get(actor=request.user, pk=booth_id)
    services.booth_withdraw(actor=request.user, booth=booth)
    return _booth(employer_booth_get(actor=request.user, pk=booth_id), role=Role.EMPLOYER, contacts=True)


# --- graduates --------------------------------------------------------------------------

@router.get("", response=FairPage, summary="毕业生：可参加的近期招聘会（已结束的不显示）")
def fairs_graduate_list(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, (Role.GRADUATE,))
    graduate = services.graduate_of(request.user)
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(fairs_open_to(graduate), page=page, page_size=page_size, count=False)
    ids = [f.pk for f in listed]
    mine, checked = interested_fair_ids(graduate, ids), checked_in_fair_ids(graduate, ids)
    return _page(listed, page, page_size, [
        _fair(f, interested=f.pk in mine,
              state=graduate_fair_state(f, registered=f.pk in mine, checked_in=f.pk in checked)) for f in listed])


@router.get("/{fair_id}", response=FairGraduateDetailOut,
            summary="毕业生：招聘会详情、参会单位（按展位号）及其面向本人开放的职位")
def fairs_graduate_get(request, fair_id: int, page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, (Role.GRADUATE,))
    graduate = services.graduate_of(request.user)
    fair = graduate_fair_get(graduate, fair_id)
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(fair_employers_for_graduate(graduate, fair), page=page, page_size=page_size,
                              count=False)
    employers = [{"id": b.pk, "booth_number": b.booth_number, "employer_id": b.employer_id,
                  "employer_name": b.employer.name, "postings": [{"id": p.pk, "title": p.title}
                                                                 for p in b.open_postings]} for b in listed]
    view = graduate_fair_view(graduate, fair)
    return {"fair": _fair(fair, detail=True, interested=view.registered, state=view.state), "employers": employers,
            "has_next": listed.has_next}


@router.post("/{fair_id}/interest", response=FairInterestOut,
             summary="毕业生：我要参加（interested=true 报名，false 取消，省略为切换）")
def fairs_graduate_interest(request, fair_id: int, payload: FairInterestIn):
    require_role(request.user, (Role.GRADUATE,))
    graduate = services.graduate_of(request.user)
    fair = graduate_fair_get(graduate, fair_id)
    interested = services.fair_interest_toggle(actor=request.user, fair=fair, interested=payload.interested)
    fair.refresh_from_db(fields=["interest_count"])
    return {"interested": interested, "interest_count": fair.interest_count}
