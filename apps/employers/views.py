"""Employer account pages (phone and desktop): registration (public), the unit's profile and its
members. Thin: parse, fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.net import client_address
from apps.employers import services
from apps.employers.models import MemberStatus
from apps.employers.presenters import EDITABLE_WHEN_VERIFIED, employer_state, verifier_label
from apps.employers.selectors import employer_member, employer_members, own_employer
from apps.organisations.models import EmployerSize, EmployerStatus

REGISTER_FIELDS = ("username", "password", "password_again", "credit_code", "name", "nature_code", "industry_code",
                   "division", "address", "size", "contact_name", "contact_mobile", "verifier", "introduction")
PROFILE_FIELDS = ("name", "nature_code", "industry_code", "division", "address", "size", "contact_name",
                  "contact_mobile", "verifier", "introduction")


def _message(exc: DomainError) -> str:
    return "请按提示修改标红的内容后重新提交" if len(exc.fields) > 1 else exc.message


@never_cache
def register_view(request):
    """单位注册 (public): a new unit's main account, or a sub-account of a unit that has one."""
    if request.user.is_authenticated and request.user.role == Role.EMPLOYER:
        return redirect("employer-home")
    values = {"size": "", "verifier": ""}
    errors, error = {}, None
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in REGISTER_FIELDS}
        try:
            user = services.employer_register(data=values, licence=request.FILES.get("licence"),
                                              client_address=client_address(request))
        except DomainError as exc:
            errors, error = exc.fields, _message(exc)
        else:
            if not user.is_active:
                return render(request, "employers/register_member_done.html", {"user": user})
            request.session.flush()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "注册成功，单位信息已提交审核")
            return redirect("employer-home")
        values.pop("password", None)
        values.pop("password_again", None)
    return render(request, "employers/register.html", {
        "v": values, "errors": errors, "error": error, "sizes": EmployerSize.choices,
        "verifiers": services.verifier_choices(),
    }, status=400 if error else 200)


def _profile_values(employer) -> dict:
    values = {name: getattr(employer, name) or "" for name in PROFILE_FIELDS if name not in ("division", "verifier")}
    values["division"] = employer.division_id or ""
    values["verifier"] = (f"school:{employer.verifier_school_id}" if employer.verifier_school_id
                          else f"province:{employer.verifier_province_id}" if employer.verifier_province_id else "")
    return values


@never_cache
@role_required(Role.EMPLOYER)
def profile_view(request):
    """单位信息: read by every account of the unit, changed by the main account."""
    employer = own_employer(actor=request.user)
    main = services.is_main_account(request.user)
    editable = main and employer.status not in (EmployerStatus.SUSPENDED, EmployerStatus.UNREGISTERED)
    verified = employer.status == EmployerStatus.VERIFIED
    values, errors, error = _profile_values(employer), {}, None
    if request.method == "POST":
        if not editable:
            raise DomainError("只有本单位主账号可以修改单位信息" if not main else "单位账号已停用，不能修改单位信息",
                              code="forbidden")
        fields = services.VERIFIED_EDITABLE if verified else PROFILE_FIELDS
        posted = {name: request.POST.get(name, "") for name in fields}
        try:
            updated = services.employer_profile_update(actor=request.user, data=posted,
                                                       licence=None if verified else request.FILES.get("licence"),
                                                       client_address=client_address(request))
        except DomainError as exc:
            values.update(posted)
            errors, error = exc.fields, _message(exc)
        else:
            resubmitted = employer.status == EmployerStatus.REJECTED and updated.status == EmployerStatus.PENDING
            messages.success(request, "已重新提交审核" if resubmitted else "单位信息已保存")
            return redirect("employer-profile")
    return render(request, "employers/profile.html", {
        "employer": employer, "state": employer_state(employer, viewer_role=Role.EMPLOYER),
        "verifier": verifier_label(employer), "main": main, "editable": editable, "verified": verified,
        "v": values, "errors": errors, "error": error, "sizes": EmployerSize.choices,
        "verifiers": services.verifier_choices(), "editable_when_verified": EDITABLE_WHEN_VERIFIED,
    }, status=400 if error else 200)


@never_cache
@role_required(Role.EMPLOYER)
def members_view(request):
    """单位成员: the unit's accounts; the main account approves or refuses requests."""
    return render(request, "employers/members.html", {
        "members": list(employer_members(actor=request.user)[:200]), "main": services.is_main_account(request.user),
        "pending": MemberStatus.PENDING,
    })


@require_POST
@role_required(Role.EMPLOYER)
def member_decide_view(request, pk: int):
    member = employer_member(actor=request.user, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.employer_member_decide(actor=request.user, member=member, approve=approve,
                                        client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'通过' if approve else '拒绝'}{member.user.display_name or member.user.username}的申请")
    return redirect("employer-members")
