"""人才查找 for employers (phone and desktop): the resumes whose graduates allow verified
employers to find them, in the employer's channel. Contact details stay masked here: they
become visible only through an application."""

from __future__ import annotations

from django.shortcuts import render

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.listing import bounded_page
from apps.core.pagination import int_or_none, querystring_without_page
from apps.reference.selectors import code_labels
from apps.resumes.presenters import employer_resume_view
from apps.resumes.selectors import (
    ResumeSearch,
    channel_schools,
    discoverable_resume_get,
    resumes_search,
    searching_employer,
)
from apps.resumes.snapshot import resume_snapshot

PER_PAGE = 20


@role_required(Role.EMPLOYER)
def employer_resumes_view(request):
    employer = searching_employer(request.user)
    filters = ResumeSearch(school_id=int_or_none(request.GET.get("school")),
                           education_level=request.GET.get("education_level", "").strip()[:4],
                           major=request.GET.get("major", ""))
    page = bounded_page(request, resumes_search(actor=request.user, filters=filters), per_page=PER_PAGE)
    levels = code_labels("education_level", "employment-xldm")
    genders = code_labels("gender")
    rows = [{"resume": r, "graduate": r.graduate, "education_level": levels.get(r.graduate.education_level_code, ""),
             "gender": genders.get(r.graduate.gender_code, "")} for r in page]
    return render(request, "resumes/employer_list.html", {
        "employer": employer, "page": page, "rows": rows, "filters": filters,
        "schools": list(channel_schools(employer).order_by("code", "id").values("id", "name")),
        "levels": sorted(levels.items()), "querystring": querystring_without_page(request),
    })


@role_required(Role.EMPLOYER)
def employer_resume_detail_view(request, pk: int):
    resume = discoverable_resume_get(actor=request.user, pk=pk)
    snapshot = employer_resume_view(resume_snapshot(resume.graduate))
    return render(request, "resumes/employer_detail.html", {"snapshot": snapshot, "resume": resume})
