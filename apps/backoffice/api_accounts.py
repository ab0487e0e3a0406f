"""JSON API of 管理员账号 (/api/v1/staff-accounts/): school staff manage their colleges' staff
accounts, province staff their schools' staff accounts. The same services as the pages; a
password the platform made is in the answer of the call that made it, once."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status
from pydantic import Field

from apps.accounts.permissions import ACCOUNT_MANAGERS, require_role
from apps.backoffice import accounts_selectors as selectors
from apps.backoffice import services_accounts as services
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import BodyId, OptionalId, PageNumber, PageSize, api_page_bounds

router = Router(tags=["管理员账号"], auth=AUTH)


class StaffAccountState(Schema):
    code: str
    title: str
    tone: str


class StaffAccountOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    school_id: int
    school: str
    college_id: int | None
    college: str
    is_active: bool
    must_change_password: bool
    last_login: datetime | None
    date_joined: datetime
    state: StaffAccountState


class StaffAccountPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[StaffAccountOut]


class StaffAccountCreateIn(Schema):
    username: str = Field("", max_length=150)
    display_name: str = Field("", max_length=50)
    college_id: BodyId | None = None  # school staff: the college of the new 院系管理员
    school_id: BodyId | None = None  # province staff: the school of the new 学校管理员


class StaffAccountDisableIn(Schema):
    reason: str = Field("", max_length=500)


class StaffAccountPasswordOut(Schema):
    account: StaffAccountOut
    password: str  # shown once: the account must change it at its next login


def _out(account) -> dict:
    return {
        "id": account.pk, "username": account.username, "display_name": account.display_name,
        "role": account.role, "role_label": account.get_role_display(),
        "school_id": account.school_id, "school": account.school.name,
        "college_id": account.college_id, "college": account.college.name if account.college_id else "",
        "is_active": account.is_active, "must_change_password": account.must_change_password,
        "last_login": account.last_login, "date_joined": account.date_joined,
        "state": selectors.account_state(account),
    }


@router.get("", response=StaffAccountPage,
            summary="学校、省级工作人员：管理的账号列表（organisation_id 院系或学校；state active / disabled；q 用户名或姓名）")
def list_staff_accounts(request, organisation_id: OptionalId = None, state: str = "", q: str = "",
                        page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, ACCOUNT_MANAGERS)
    page, page_size, _ = api_page_bounds(page, page_size)
    accounts = selectors.staff_accounts_list(actor=request.user, organisation_id=organisation_id,
                                             state=state if state in selectors.STATE_FILTERS else "",
                                             keyword=q.strip()[:50])
    listed = bounded_api_page(accounts, page=page, page_size=page_size)
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next,
            "page": page, "page_size": page_size, "items": [_out(a) for a in listed]}


@router.post("", response={201: StaffAccountPasswordOut},
             summary="新建账号：学校工作人员给 college_id（院系管理员），省级工作人员给 school_id（学校管理员）；"
                     "答复含初始密码（仅此一次，首次登录须修改）")
def create_staff_account(request, payload: StaffAccountCreateIn):
    require_role(request.user, ACCOUNT_MANAGERS)
    account, password = services.staff_account_create(
        actor=request.user, username=payload.username, display_name=payload.display_name,
        college_id=payload.college_id, school_id=payload.school_id, client_address=client_address(request))
    account = selectors.staff_account_get(actor=request.user, user_id=account.pk)
    return Status(201, {"account": _out(account), "password": password})


@router.get("/{account_id}", response=StaffAccountOut, summary="一个管理的账号")
def get_staff_account(request, account_id: int):
    return _out(selectors.staff_account_get(actor=request.user, user_id=account_id))


@router.post("/{account_id}/disable", response=StaffAccountOut,
             summary="停用账号（reason 停用原因）：该账号立即退出登录，令牌作废")
def disable_staff_account(request, account_id: int, payload: StaffAccountDisableIn):
    services.staff_account_disable(actor=request.user, user_id=account_id, reason=payload.reason,
                                   client_address=client_address(request))
    return _out(selectors.staff_account_get(actor=request.user, user_id=account_id))


@router.post("/{account_id}/enable", response=StaffAccountOut, summary="重新启用已停用的账号")
def enable_staff_account(request, account_id: int):
    services.staff_account_enable(actor=request.user, user_id=account_id, client_address=client_address(request))
    return _out(selectors.staff_account_get(actor=request.user, user_id=account_id))


@router.post("/{account_id}/reset-password", response=StaffAccountPasswordOut,
             summary="重置密码：答复含临时密码（仅此一次，下次登录须修改）；该账号的登录与令牌全部作废")
def reset_staff_account_password(request, account_id: int):
    _account, password = services.staff_account_reset_password(actor=request.user, user_id=account_id,
                                                               client_address=client_address(request))
    return {"account": _out(selectors.staff_account_get(actor=request.user, user_id=account_id)),
            "password": password}
