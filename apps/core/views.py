from __future__ import annotations

from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render

from apps.accounts.models import Role
from apps.accounts.permissions import STAFF, role_required
from apps.accounts.scoping import visible_to
from apps.core.errors import NotFound
from apps.graduates.models import CollegeGraduateCount
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
    """Role-specific landing: what this staff member is responsible for.

    Graduate numbers come from the maintained counts per college (CollegeGraduateCount, at
    most one row per college in scope), never from COUNT over the graduates (issue 9)."""
    from apps.core.listing import bounded_count

    user = request.user
    counts = visible_to(CollegeGraduateCount, user)
    context = {"graduate_count": counts.aggregate(n=Coalesce(Sum("graduates"), 0))["n"]}
    if user.role == Role.PROVINCE_STAFF:
        context["school_count"] = visible_to(School, user).count()
    else:
        context["college_rows"] = (
            visible_to(College, user).annotate(n=Coalesce(F("graduate_count__graduates"), 0))
            .order_by("code").values("name", "n")
        )
        # 初审 (college) / 终审 (school): what waits for this reviewer, linked to the queue;
        # bounded like every list count (「超过 N 条」 past the cap)
        from apps.destinations.models import Destination
        from apps.destinations.presenters import reviewable_status

        acts_on = reviewable_status(user)
        if acts_on:
            waiting, capped = bounded_count(visible_to(Destination, user).filter(status=acts_on))
            context["destination_waiting"] = f"超过 {waiting}" if capped else waiting
    return render(request, "core/staff_home.html", context)


@role_required(Role.PROVINCE_STAFF)
def province_schools_view(request):
    """院校一览: graduates per school summed from the maintained per-college counts (one
    GROUP BY over at most ~1,000 rows, whatever the number of graduates)."""
    schools = (
        visible_to(School, request.user)
        .annotate(n=Coalesce(Sum("graduate_counts__graduates"), 0))
        .order_by("code")
        .only("pk", "code", "name", "current_cohort")
    )
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
