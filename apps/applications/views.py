"""The graduate's pages of 投递 (phone, 服务 tab): apply from a posting's page, my
applications, one application (its state, the posting, the resume as sent), withdraw.
Thin: parse, fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.applications import services
from apps.applications.presenters import application_state
from apps.applications.selectors import application_get, applications_of_graduate, snapshot_for
from apps.core.errors import DomainError, NotFound
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.jobs.models import Posting

TAB = "services"


def _posting_url(pk: int) -> str:
    try:
        return reverse("job-detail", args=[pk])
    except NoReverseMatch:  # the search pages are another area's
        return reverse("my-applications")


@require_POST
@role_required(Role.GRADUATE)
def apply_view(request, pk: int):
    posting = Posting.objects.filter(pk=pk).first()
    if posting is None:
        raise NotFound()
    try:
        application = services.application_submit(actor=request.user, posting=posting,
                                                  client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        if exc.code == "posting_closed":  # its page is gone for this graduate: the message goes with the list
            return redirect("my-applications")
        return redirect(_posting_url(pk))
    messages.success(request, "投递成功，单位查看或处理后你会收到通知。")
    return redirect("application-detail", pk=application.pk)


@role_required(Role.GRADUATE)
def my_applications_view(request):
    page = bounded_page(request, applications_of_graduate(actor=request.user), per_page=20, count=False)
    for application in page:
        application.state = application_state(application, viewer_role=Role.GRADUATE)
    return render(request, "applications/my_list.html", {"tab": TAB, "page": page, "querystring": ""})


@role_required(Role.GRADUATE)
def application_detail_view(request, pk: int):
    application = application_get(actor=request.user, pk=pk)
    return render(request, "applications/my_detail.html", {
        "tab": TAB, "a": application, "posting": application.posting,
        "state": application_state(application, viewer_role=Role.GRADUATE),
        "resume": snapshot_for(application, viewer_role=Role.GRADUATE),
        "posting_url": _posting_url(application.posting_id),
    })


@require_POST
@role_required(Role.GRADUATE)
def withdraw_view(request, pk: int):
    application = application_get(actor=request.user, pk=pk)
    try:
        services.application_withdraw(actor=request.user, application=application,
                                      client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "投递已撤回")
    return redirect("application-detail", pk=pk)
