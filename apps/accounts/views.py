from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import services
from apps.accounts.forms import GraduateLoginForm, PinForm, StaffLoginForm
from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.net import client_address
from apps.organisations.models import School
from apps.organisations.selectors import schools_search

STAFF_HOME = {
    Role.SCHOOL_STAFF: "staff-home",
    Role.COLLEGE_STAFF: "staff-home",
    Role.PROVINCE_STAFF: "staff-home",
    Role.EMPLOYER: "employer-home",
}


def graduate_login_view(request):
    if request.user.is_authenticated and request.user.role == Role.GRADUATE:
        return redirect("graduate-home")
    form = GraduateLoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.graduate_login(
                services.LoginAttempt(
                    school_id=data["school_id"],
                    name=data["name"],
                    student_number=data["student_number"],
                    id_number=data["id_number"],
                    client_address=client_address(request),
                )
            )
        except DomainError as exc:
            error = exc.message
        else:
            request.session.flush()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if not user.graduate.has_signing_pin:
                return redirect("graduate-pin")
            # back to the page that asked for the login (e.g. a scanned 签到 QR), when it is ours
            return redirect(request.GET.get("next") if _safe_next(request) else "graduate-home")
    school = None
    if form.is_bound and form.data.get("school_id", "").isdigit():
        school = School.objects.filter(pk=form.data["school_id"], is_active=True).first()
    typed = {k: form.data.get(k, "") for k in ("name", "student_number")}
    context = {"form": form, "error": error, "school": school, "keyword": form.data.get("school_keyword", ""), "typed": typed}
    return render(request, "accounts/graduate_login.html", context, status=400 if error else 200)


def school_search_view(request):
    """htmx fragment: matching schools for the keyword typed on the login page."""
    schools = schools_search(keyword=request.GET.get("school_keyword", "") or request.GET.get("q", ""))
    return render(request, "accounts/_school_options.html", {"schools": schools})


@role_required(Role.GRADUATE)
def graduate_pin_view(request):
    graduate = request.user.graduate
    if graduate.has_signing_pin:
        return redirect("graduate-home")
    form = PinForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.graduate_set_signing_pin(
                actor=request.user, pin=form.cleaned_data["pin"], pin_again=form.cleaned_data["pin_again"],
                client_address=client_address(request),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "签约密码已设置，请牢记。签约和解约时需要输入。")
            return redirect("graduate-home")
    return render(request, "accounts/graduate_pin.html", {"form": form, "error": error})


@require_POST
def graduate_unbind_view(request):
    """我的 → 设置 → 解除绑定并重新登录: the session, every token and every cached page go."""
    if request.user.is_authenticated:
        services.api_tokens_revoke_all(request.user)
    logout(request)
    response = redirect("graduate-login")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def staff_login_view(request):
    if request.user.is_authenticated and request.user.role in STAFF_HOME:
        return redirect(STAFF_HOME[request.user.role])
    form = StaffLoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_authenticate(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                client_address=client_address(request),
            )
        except DomainError as exc:
            error = exc.message
        else:
            if user.role not in STAFF_HOME:
                error = "该账号不能登录管理端"
            else:
                request.session.flush()
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(request.GET.get("next") if _safe_next(request) else STAFF_HOME[user.role])
    return render(request, "accounts/staff_login.html", {"form": form, "error": error}, status=400 if error else 200)


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.GET.get("next")
    return bool(nxt) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})


@require_POST
def staff_logout_view(request):
    logout(request)
    response = redirect("staff-login")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def forbidden_view(request, exception=None):
    return render(request, "403.html", status=403)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
