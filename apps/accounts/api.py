from __future__ import annotations

from django.contrib.auth import logout
from ninja import Router, Schema, Status

from apps.accounts import services
from apps.core.api import AUTH
from apps.core.errors import DomainError
from apps.core.net import client_address
from apps.graduates.presenters import graduate_summary
from apps.organisations.selectors import schools_search

router = Router(tags=["登录与账号"])


class SchoolOut(Schema):
    id: int
    code: str
    name: str


class GraduateLoginIn(Schema):
    school_id: int
    name: str
    student_number: str
    id_number: str


class StaffLoginIn(Schema):
    username: str
    password: str


class GraduateBrief(Schema):
    id: int
    name: str
    student_number: str
    cohort: int
    school: str
    college: str
    major: str
    education_level: str
    id_number_masked: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    role: str
    pin_required: bool = False
    graduate: GraduateBrief | None = None


class MeOut(Schema):
    username: str
    role: str
    display_name: str
    school_id: int | None
    college_id: int | None
    province_id: int | None
    graduate: GraduateBrief | None = None
    pin_required: bool = False


class PinIn(Schema):
    pin: str
    pin_again: str


@router.get("/schools", response=list[SchoolOut], summary="按关键字查询院校（登录页用）")
def search_schools(request, q: str = ""):
    return list(schools_search(keyword=q))


@router.post("/graduate/login", response=TokenOut, summary="毕业生登录：院校 + 姓名 + 学号 + 身份证号")
def graduate_login(request, payload: GraduateLoginIn):
    user = services.graduate_login(
        services.LoginAttempt(client_address=client_address(request), **payload.dict())
    )
    graduate = user.graduate
    return {
        "token": services.api_token_issue(user),
        "role": user.role,
        "pin_required": not graduate.has_signing_pin,
        "graduate": graduate_summary(graduate),
    }


@router.post("/staff/login", response=TokenOut, summary="工作人员与用人单位登录")
def staff_login(request, payload: StaffLoginIn):
    user = services.staff_authenticate(
        username=payload.username, password=payload.password, client_address=client_address(request)
    )
    if user.must_change_password:
        # an administrator's initial or temporary password opens nothing but 修改密码 (a page)
        raise DomainError("请先登录管理端网页修改初始密码，再使用接口", code="must_change_password")
    return {"token": services.api_token_issue(user), "role": user.role}


@router.get("/me", response=MeOut, auth=AUTH, summary="当前登录者")
def me(request):
    user = request.user
    graduate = user.graduate if user.role == "graduate" else None
    return {
        "username": user.username,
        "role": user.role,
        "display_name": user.display_name,
        "school_id": user.school_id,
        "college_id": user.college_id,
        "province_id": user.province_id,
        "graduate": graduate_summary(graduate) if graduate else None,
        "pin_required": bool(graduate and not graduate.has_signing_pin),
    }


@router.post("/me/pin", response={204: None}, auth=AUTH, summary="首次登录设置6位签约密码")
def set_pin(request, payload: PinIn):
    services.graduate_set_signing_pin(
        actor=request.user, pin=payload.pin, pin_again=payload.pin_again, client_address=client_address(request)
    )
    return Status(204, None)


@router.post("/logout", response={204: None}, auth=AUTH, summary="解除绑定并重新登录（吊销全部令牌）")
def logout_everywhere(request):
    services.api_tokens_revoke_all(request.user)
    logout(request)
    return Status(204, None)
