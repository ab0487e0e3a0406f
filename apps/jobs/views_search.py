"""Pages of 职位搜索 for graduates (phone): search, a posting, favourites, an employer's profile.
Thin: parse, read through apps/jobs/search_query.py, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.pagination import querystring_without_page
from apps.graduates.models import Graduate
from apps.jobs import search_query as sq
from apps.jobs import services_favourites as services
from apps.reports.reasons import WARNING


def _graduate(request) -> Graduate:
    return Graduate.objects.select_related("school").get(pk=request.user.graduate_id)


def _context(**extra) -> dict:
    return {"tab": "services", "hotline_warning": WARNING, **extra}


@role_required(Role.GRADUATE)
def search_view(request):
    graduate = _graduate(request)
    filters, errors = sq.parse_filters(request.GET)
    result = sq.search_postings(graduate=graduate, keyword=request.GET.get("q", ""), filters=filters,
                                sort=request.GET.get("sort", ""), page=request.GET.get("page"))
    return render(request, "jobs/search/search.html", _context(
        result=result, rows=result.rows, page=result.page, notes=[*errors.values(), *result.notes],
        choices=sq.filter_choices(), querystring=querystring_without_page(request),
        filtered=bool(filters.as_query()), sort_links=_sort_links(request, result),
    ))


def _sort_links(request, result) -> list[dict]:
    """匹配度 / 最新 / 薪资 as links keeping the keyword and filters (匹配度 only with a keyword)."""
    links = []
    for key, label in sq.SORTS.items():
        if key == sq.SORT_MATCH and not result.tokens:
            continue
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = key
        links.append({"key": key, "label": label, "query": query.urlencode(), "active": key == result.sort})
    return links


@role_required(Role.GRADUATE)
def detail_view(request, pk: int):
    graduate = _graduate(request)
    posting = sq.posting_for_graduate(graduate=graduate, pk=pk)
    services.posting_viewed(posting=posting)
    from apps.applications.selectors import apply_box

    return render(request, "jobs/search/detail.html", _context(
        posting=posting, summary=sq.posting_summary(posting),
        favourite=sq.is_favourite(graduate=graduate, posting_id=posting.pk),
        **apply_box(graduate=graduate, posting=posting),
    ))


@role_required(Role.GRADUATE)
@require_POST
def favourite_view(request, pk: int):
    try:
        now = services.favourite_toggle(actor=request.user, posting_id=pk)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "已收藏" if now else "已取消收藏")
    back = request.POST.get("next", "")
    if back == "favourites":
        return redirect("job-favourites")
    return redirect("job-detail", pk=pk)


@role_required(Role.GRADUATE)
def favourites_view(request):
    graduate = _graduate(request)
    page = sq.favourites_page(actor=request.user, graduate=graduate, page=request.GET.get("page"))
    return render(request, "jobs/search/favourites.html", _context(page=page, querystring=""))


@role_required(Role.GRADUATE)
def employer_view(request, pk: int):
    graduate = _graduate(request)
    employer = sq.employer_for_graduate(graduate=graduate, pk=pk)
    page = sq.employer_postings(graduate=graduate, employer=employer, page=request.GET.get("page"))
    return render(request, "jobs/search/employer.html", _context(
        employer=employer, profile=sq.employer_profile(employer), page=page,
        rows=[sq.posting_summary(p) for p in page.object_list], querystring="",
    ))
