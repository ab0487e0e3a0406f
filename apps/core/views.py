from __future__ import annotations

from django.db.models import Count
from django.shortcuts import redirect, render

from apps.accounts.models import Role
from apps.accounts.permissions import STAFF, role_required
from apps.accounts.scoping import visible_to
from apps.core.errors import NotFound
from apps.graduates.models import Graduate
from apps.organisations.models import College, School


def root_view(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("graduate-login")
    if user.role == Role.GRADUATE:
        return redirect("graduate-home")
    if user.role == Role.EMPLOYER:
        return redirect("employer-home")
    if user.role in STAFF:
        return redirect("staff-home")
    return redirect("graduate-login")


@role_required(*STAFF)
def staff_home_view(request):
    """Role-specific landing: what this staff member is responsible for."""
    user = request.user
    context = {"graduate_count": visible_to(Graduate, user).count()}
    if user.role == Role.PROVINCE_STAFF:
        context["school_count"] = visible_to(School, user).count()
    else:
        context["college_rows"] = (
            visible_to(College, user).annotate(n=Count("graduates")).order_by("code").values("name", "n")
        )
        # 初审 (college) / 终审 (school): what waits for this reviewer, linked to the queue
        from apps.destinations.models import Destination
        from apps.destinations.presenters import reviewable_status

        acts_on = reviewable_status(user)
        if acts_on:
            context["destination_waiting"] = visible_to(Destination, user).filter(status=acts_on).count()
    return render(request, "core/staff_home.html", context)


@role_required(Role.PROVINCE_STAFF)
def province_schools_view(request):
    schools = visible_to(School, request.user).annotate(n=Count("graduates")).order_by("code")
    return render(request, "core/province_schools.html", {"schools": schools})


@role_required(Role.EMPLOYER)
def employer_home_view(request):
    from apps.signing.views_employer import employer_signing_context

    return render(request, "core/employer_home.html",
                  {"employer": request.user.employer, **employer_signing_context(request)})


def private_media_view(request, name: str):
    """Private files are never served by path; each owning app exposes its own
    permission-checked view (see apps/core/files.py). This URL only refuses."""
    raise NotFound()
