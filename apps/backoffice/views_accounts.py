"""Pages of 管理员账号 (school staff: their colleges' staff accounts; province staff: their schools'
staff accounts) and 修改密码 (every staff member). Thin: parse, fetch the scoped row, call one
service, render. A password the platform made is shown once, in the answer to the POST that
made it (never in a redirect, a flash message or the session)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.permissions import ACCOUNT_MANAGERS, STAFF, role_required
from apps.backoffice import accounts_selectors as selectors
from apps.backoffice import services_accounts as services
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import int_or_none, querystring_without_page


def _list_context(request) -> dict:
    organisation_id = int_or_none(request.GET.get("org"))
    state = request.GET.get("state", "")
    state = state if state in selectors.STATE_FILTERS else ""
    keyword = request.GET.get("q", "").strip()[:50]
    page = bounded_page(request, selectors.staff_accounts_list(
        actor=request.user, organisation_id=organisation_id, state=state, keyword=keyword))
    return {
        "page": page,
        "rows": [(a, selectors.account_state(a), selectors.last_login_text(a)) for a in page],
        "organisations": selectors.account_organisations(request.user),
        "organisation_label": selectors.organisation_label(request.user),
        "org": organisation_id, "state": state, "q": keyword,
        "states": [(value, label) for value, (label, _active) in selectors.STATE_FILTERS.items()],
        "querystring": querystring_without_page(request),
    }


@role_required(*ACCOUNT_MANAGERS)
def staff_accounts_view(request):
    return render(request, "backoffice/accounts_list.html", _list_context(request))


def _new_context(request, **extra) -> dict:
    return {
        "organisations": selectors.account_organisations(request.user),
        "organisation_label": selectors.organisation_label(request.user),
        "organisation_field": "college_id" if request.user.role == "school_staff" else "school_id",
        "new_role_label": "院系管理员" if request.user.role == "school_staff" else "学校管理员",
        "error": None, "field_errors": {}, "posted": {},
        **extra,
    }


@role_required(*ACCOUNT_MANAGERS)
def staff_account_new_view(request):
    if request.method != "POST":
        return render(request, "backoffice/accounts_new.html", _new_context(request))
    organisation_id = int_or_none(request.POST.get("college_id") or request.POST.get("school_id"))
    try:
        account, password = services.staff_account_create(
            actor=request.user, username=request.POST.get("username", ""),
            display_name=request.POST.get("display_name", ""),
            college_id=organisation_id if request.user.role == "school_staff" else None,
            school_id=organisation_id if request.user.role == "province_staff" else None,
            client_address=client_address(request))
    except DomainError as exc:
        if exc.status != 400:
            raise
        return render(request, "backoffice/accounts_new.html", _new_context(
            request, error=exc.message, field_errors=exc.fields, posted=request.POST), status=400)
    return render(request, "backoffice/accounts_password_shown.html", {
        "account": account, "password": password, "created": True})


def _detail_context(request, pk: int, **extra) -> dict:
    account = selectors.staff_account_get(actor=request.user, user_id=pk)
    return {
        "account": account, "state": selectors.account_state(account),
        "last_login": selectors.last_login_text(account),
        "is_self": account.pk == request.user.pk,
        "error": None, "field_errors": {}, "posted": {},
        **extra,
    }


@role_required(*ACCOUNT_MANAGERS)
def staff_account_detail_view(request, pk: int):
    return render(request, "backoffice/accounts_detail.html", _detail_context(request, pk))


@require_POST
@role_required(*ACCOUNT_MANAGERS)
def staff_account_disable_view(request, pk: int):
    account = selectors.staff_account_get(actor=request.user, user_id=pk)
    try:
        services.staff_account_disable(actor=request.user, user_id=account.pk, reason=request.POST.get("reason", ""),
                                       client_address=client_address(request))
    except DomainError as exc:
        if exc.status != 400:
            raise
        return render(request, "backoffice/accounts_detail.html", _detail_context(
            request, pk, error=exc.message, field_errors=exc.fields, posted=request.POST), status=400)
    messages.success(request, f"账号 {account.username} 已停用，该账号已被强制退出登录")
    return redirect("staff-account-detail", pk=account.pk)


@require_POST
@role_required(*ACCOUNT_MANAGERS)
def staff_account_enable_view(request, pk: int):
    account = selectors.staff_account_get(actor=request.user, user_id=pk)
    try:
        services.staff_account_enable(actor=request.user, user_id=account.pk, client_address=client_address(request))
    except DomainError as exc:
        if exc.status != 400:
            raise
        return render(request, "backoffice/accounts_detail.html", _detail_context(request, pk, error=exc.message),
                      status=400)
    messages.success(request, f"账号 {account.username} 已重新启用")
    return redirect("staff-account-detail", pk=account.pk)


@require_POST
@role_required(*ACCOUNT_MANAGERS)
def staff_account_reset_view(request, pk: int):
    account = selectors.staff_account_get(actor=request.user, user_id=pk)
    try:
        account, password = services.staff_account_reset_password(
            actor=request.user, user_id=account.pk, client_address=client_address(request))
    except DomainError as exc:
        if exc.status != 400:
            raise
        return render(request, "backoffice/accounts_detail.html", _detail_context(request, pk, error=exc.message),
                      status=400)
    return render(request, "backoffice/accounts_password_shown.html", {
        "account": account, "password": password, "created": False})


@role_required(*STAFF, before_password_change=True)
def staff_password_view(request):
    forced = request.user.must_change_password
    if request.method != "POST":
        return render(request, "backoffice/accounts_password.html", {"forced": forced, "field_errors": {},
                                                                       "min_length": services.password_min_length()})
    try:
        user = services.staff_password_change(
            actor=request.user, current_password=request.POST.get("current_password", ""),
            new_password=request.POST.get("new_password", ""),
            new_password_again=request.POST.get("new_password_again", ""),
            client_address=client_address(request))
    except DomainError as exc:
        if exc.status not in (400, 429):
            raise
        return render(request, "backoffice/accounts_password.html", {
            "forced": forced, "error": exc.message, "field_errors": exc.fields,
            "min_length": services.password_min_length()}, status=exc.status)
    update_session_auth_hash(request, user)  # this session stays; every other one ends
    messages.success(request, "密码已修改，其他设备上的登录已退出")
    return redirect("staff-home")
