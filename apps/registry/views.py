"""Pages of the national registry sync (全国毕业去向登记系统): the graduate's comparison view
(全国毕业去向登记系统数据查看, phone) and the staff sync monitor (同步监控). Thin: read through
selectors, write through one service, texts from presenters."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import STAFF, role_required
from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import int_or_none, querystring_without_page
from apps.organisations.models import College, School
from apps.registry import presenters, selectors
from apps.registry.comparison import graduate_comparison
from apps.registry.models import OutboxEntry, OutboxState
from apps.registry.services import outbox_retry, outbox_retry_all_dead

RETRIERS = presenters.RETRIERS


@role_required(Role.GRADUATE)
def comparison_view(request):
    graduate = selectors.own_graduate(actor=request.user)
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    return render(request, "registry/comparison.html", {
        "tab": "register", "graduate": graduate, **graduate_comparison(actor=request.user, graduate=graduate)})


# --- staff sync monitor -----------------------------------------------------------------------

def _filters(request) -> selectors.OutboxFilters:
    return selectors.OutboxFilters.parse(state=request.GET.get("state"),
                                         school_id=int_or_none(request.GET.get("school")),
                                         college_id=int_or_none(request.GET.get("college")))


@role_required(*STAFF)
def monitor_view(request):
    filters = _filters(request)
    summary = selectors.outbox_summary(actor=request.user, filters=filters, now=timezone.now())
    page = bounded_page(request, selectors.outbox_list(actor=request.user, filters=filters), per_page=30)
    rows = [{"entry": e, **presenters.entry_row(e)} for e in page.object_list]
    schools = visible_to(School, request.user).only("id", "name").order_by("code") \
        if request.user.role == Role.PROVINCE_STAFF else []
    colleges = visible_to(College, request.user).only("id", "name").order_by("id")
    if request.user.role == Role.PROVINCE_STAFF:
        colleges = colleges.filter(school_id=filters.school_id) if filters.school_id else colleges.none()
    counts = [{"state": state, "label": label, "tone": presenters.STATE_TONES[state],
               "count": summary.counts[state][0], "capped": summary.counts[state][1]}
              for state, label in OutboxState.choices]
    return render(request, "registry/monitor.html", {
        "filters": filters, "summary": summary, "counts": counts, "page": page, "rows": rows,
        "oldest_age": presenters.age_text(summary.oldest_age_seconds),
        "states": [("all", "全部"), *OutboxState.choices], "schools": schools, "colleges": colleges,
        "querystring": querystring_without_page(request), "may_retry": request.user.role in RETRIERS,
    })


@require_POST
@role_required(*RETRIERS)
def retry_view(request, pk: int):
    entry = get_visible(OutboxEntry, request.user, pk=pk)
    try:
        outbox_retry(actor=request.user, entry=entry, client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重新安排发送第{entry.sequence}号变更，将在几分钟内送达。")
    return redirect(_back(request))


@require_POST
@role_required(*RETRIERS)
def retry_dead_view(request):
    school_id, college_id = int_or_none(request.POST.get("school")), int_or_none(request.POST.get("college"))
    school = get_visible(School, request.user, pk=school_id) if school_id else None
    college = get_visible(College, request.user, pk=college_id) if college_id else None
    try:
        count = outbox_retry_all_dead(actor=request.user, school=school, college=college,
                                      client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重新安排发送{count}条失败的变更。" if count else "没有发送失败的变更。")
    return redirect(_back(request))


def _back(request) -> str:
    """Back to the monitor (with the filters the person had) or the graduate's staff page: only
    a staff path of this site."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target.startswith("/staff/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("staff-registry")
