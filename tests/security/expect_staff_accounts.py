"""Permission-matrix entries for 管理员账号 and 修改密码 (see permission_expectations.py).

School staff manage the college staff accounts of their school, province staff the school staff
accounts of their province; college staff manage none. The world gets one college staff account
of the owner's college made by the owner's school staff: only they may open or act on it (the
other school's staff and the province — which manages school accounts, not college ones — get
404). Every staff member changes their own password."""

from __future__ import annotations

from tests.security.permission_expectations import STAFF, Page, _p

MANAGERS = frozenset({"school_staff", "other_school_staff", "province_staff"})
ITS_MANAGER = frozenset({"school_staff"})

PAGES: dict = {
    "staff-accounts": Page(MANAGERS),
    "staff-account-new": Page(MANAGERS),
    "staff-account-detail": Page(ITS_MANAGER, {"pk": "staff_account"}),
    "staff-account-disable": Page(ITS_MANAGER, {"pk": "staff_account"}, post_only=True),
    "staff-account-enable": Page(ITS_MANAGER, {"pk": "staff_account"}, post_only=True),
    "staff-account-reset": Page(ITS_MANAGER, {"pk": "staff_account"}, post_only=True),
    "staff-password": Page(STAFF),
}
API: dict = {
    "apps_backoffice_api_accounts_list_staff_accounts": _p(MANAGERS),
    "apps_backoffice_api_accounts_create_staff_account": _p(MANAGERS),
    "apps_backoffice_api_accounts_get_staff_account": _p(ITS_MANAGER, {"account_id": "staff_account"}),
    "apps_backoffice_api_accounts_disable_staff_account": _p(ITS_MANAGER, {"account_id": "staff_account"}),
    "apps_backoffice_api_accounts_enable_staff_account": _p(ITS_MANAGER, {"account_id": "staff_account"}),
    "apps_backoffice_api_accounts_reset_staff_account_password": _p(ITS_MANAGER, {"account_id": "staff_account"}),
}


def build(w, users) -> None:
    """A college staff account of the owner's college, created by the owner's school staff."""
    from apps.backoffice.services_accounts import staff_account_create

    account, _password = staff_account_create(actor=users["school_staff"], username="sec-college-3",
                                              display_name="新院系管理员", college_id=w.ids.college)
    w.ids.staff_account = account.pk
