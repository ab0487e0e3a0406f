from __future__ import annotations

from ninja import Router, Schema, Status

from apps.accounts.permissions import REVIEWERS, SCHOOL_STAFF, require_role
from apps.accounts.scoping import get_visible
from apps.accounts.services import staff_reset_signing_pin
from apps.core.api import AUTH
from apps.core.net import client_address
from apps.graduates.models import Graduate
from apps.graduates.presenters import graduate_detail, graduate_summary
from apps.graduates.selectors import GraduateFilters, graduates_list

router = Router(tags=["毕业生"], auth=AUTH)


class GraduateSummaryOut(Schema):
    id: int
    name: str
    student_number: str
    cohort: int
    school: str
    college: str
    major: str
    education_level: str
    id_number_masked: str


class GraduateDetailOut(GraduateSummaryOut):
    exam_number: str
    gender: str
    birth_date: str | None
    ethnicity: str
    political_status: str
    urban_rural: str
    training_mode: str
    hardship: str
    normal_student: str
    origin_division: str
    phone_masked: str
    has_signing_pin: bool


class GraduatePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[GraduateSummaryOut]


_RELATED = ("school", "college", "major", "origin_division")


@router.get("/me", response=GraduateDetailOut, summary="毕业生本人的学籍与生源信息")
def my_record(request):
    graduate = get_visible(Graduate.objects.select_related(*_RELATED), request.user, pk=request.user.graduate_id or 0)
    return graduate_detail(graduate)


@router.get("", response=GraduatePage, summary="工作人员：管理范围内的毕业生（分页）")
def list_graduates(
    request,
    cohort: int | None = None,
    college_id: int | None = None,
    major_id: int | None = None,
    education_level_code: str = "",
    q: str = "",
    page: int = 1,
    page_size: int = 30,
):
    require_role(request.user, REVIEWERS + ("province_staff",))
    page, page_size = max(page, 1), max(1, min(page_size, 200))
    qs = graduates_list(
        actor=request.user,
        filters=GraduateFilters(cohort=cohort, college_id=college_id, major_id=major_id,
                                education_level_code=education_level_code, keyword=q),
    )
    start = (page - 1) * page_size
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "items": [graduate_summary(g) for g in qs[start : start + page_size]],
    }


@router.get("/{graduate_id}", response=GraduateDetailOut, summary="工作人员：毕业生详情")
def get_graduate(request, graduate_id: int):
    require_role(request.user, REVIEWERS + ("province_staff",))
    return graduate_detail(get_visible(Graduate.objects.select_related(*_RELATED), request.user, pk=graduate_id))


@router.post("/{graduate_id}/reset-pin", response={204: None}, summary="学校管理员重置毕业生签约密码（记入审计）")
def reset_pin(request, graduate_id: int):
    require_role(request.user, SCHOOL_STAFF)
    graduate = get_visible(Graduate, request.user, pk=graduate_id)
    staff_reset_signing_pin(actor=request.user, graduate=graduate, client_address=client_address(request))
    return Status(204, None)
