"""Reads of 管理员账号: the accounts a manager may see (school staff: their colleges' staff; province
staff: their schools' staff), filtered, and the organisations a manager may create accounts in."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import MANAGED_ROLE, Role, StaffAccount
from apps.accounts.permissions import ACCOUNT_MANAGERS, require_role
from apps.accounts.scoping import visible_to
from apps.core.errors import NotFound
from apps.organisations.models import College, School

# the state filter of the list: value → (label, is_active or None for both)
STATE_FILTERS = {"": ("全部", None), "active": ("启用", True), "disabled": ("已停用", False)}
LIST_COLUMNS = ("id", "username", "display_name", "role", "is_active", "last_login", "date_joined",
                "must_change_password", "school_id", "college_id", "school__name", "college__name")


def managed_role(actor) -> str | None:
    """The role of the accounts `actor` manages (None: manages none)."""
    return MANAGED_ROLE.get(getattr(actor, "role", ""))


def staff_accounts_visible(actor) -> QuerySet[StaffAccount]:
    """The accounts `actor` manages: scoped by `StaffAccount.scope`, of the managed role."""
    role = managed_role(actor)
    if role is None:
        return StaffAccount.objects.none()
    return visible_to(StaffAccount, actor).filter(role=role)


def staff_accounts_list(*, actor, organisation_id: int | None = None, state: str = "",
                        keyword: str = "") -> QuerySet[StaffAccount]:
    """The list page and API: one organisation (a college for school staff, a school for
    province staff), a state, a username or name prefix; ordered by organisation, then name."""
    require_role(actor, ACCOUNT_MANAGERS)
    qs = staff_accounts_visible(actor).select_related("school", "college")
    if organisation_id:
        qs = qs.filter(**{"college_id" if actor.role == Role.SCHOOL_STAFF else "school_id": organisation_id})
    active = STATE_FILTERS.get(state, ("", None))[1]
    if active is not None:
        qs = qs.filter(is_active=active)
    if keyword:
        qs = qs.filter(username__istartswith=keyword) | qs.filter(display_name__startswith=keyword)
    return qs.only(*[c for c in LIST_COLUMNS if "__" not in c], "school__name", "college__name").order_by(
        "school_id", "college_id", "username", "id")


def staff_account_get(*, actor, user_id: int) -> StaffAccount:
    """One account the actor manages (404 otherwise)."""
    require_role(actor, ACCOUNT_MANAGERS)
    account = staff_accounts_visible(actor).select_related("school", "college").filter(pk=user_id).first()
    if account is None:
        raise NotFound()
    return account


def account_organisations(actor) -> list[tuple[int, str]]:
    """(id, name) of the colleges (school staff) or schools (province staff) the actor creates
    accounts in and filters the list by."""
    if actor.role == Role.SCHOOL_STAFF:
        return list(visible_to(College, actor).order_by("code", "id").values_list("id", "name"))
    if actor.role == Role.PROVINCE_STAFF:
        return list(visible_to(School, actor).filter(is_active=True).order_by("code", "id").values_list("id", "name"))
    return []


def organisation_label(actor) -> str:
    return "院系" if actor.role == Role.SCHOOL_STAFF else "学校"


def last_login_text(account) -> str:
    return timezone.localtime(account.last_login).strftime("%Y-%m-%d %H:%M") if account.last_login else "从未登录"


def account_state(account) -> dict:
    """What the pages and the API say about an account's state (title + tone)."""
    if not account.is_active:
        return {"code": "disabled", "title": "已停用", "tone": "bad"}
    if account.must_change_password:
        return {"code": "must_change_password", "title": "待修改初始密码", "tone": "warn"}
    return {"code": "active", "title": "启用", "tone": "good"}
