from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.accounts.scoping import get_visible
from apps.core.errors import DomainError
from apps.core.net import client_address
from apps.core.pagination import paginate
from apps.notices import services
from apps.notices.models import NoticeKind
from apps.notices.selectors import NOTICE_READERS, notices_visible


@role_required(*NOTICE_READERS)
def notice_list_view(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in NoticeKind.values else None
    page = paginate(request, notices_visible(actor=request.user, kind=kind))
    template = "notices/list_mobile.html" if request.user.role == Role.GRADUATE else "notices/list_staff.html"
    return render(request, template, {"page": page, "kind": kind, "kind_label": NoticeKind(kind).label if kind else "通知与动态",
                                      "querystring": f"kind={kind}" if kind else "", "tab": "home"})


@role_required(*NOTICE_READERS)
def notice_detail_view(request, pk: int):
    notice = get_visible(notices_visible(actor=request.user), request.user, pk=pk)
    template = "notices/detail_mobile.html" if request.user.role == Role.GRADUATE else "notices/detail_staff.html"
    return render(request, template, {"notice": notice, "tab": "home"})


@role_required(Role.SCHOOL_STAFF)
def staff_notices_view(request):
    page = paginate(request, notices_visible(actor=request.user))
    return render(request, "notices/list_staff.html", {"page": page, "kind_label": "通知与动态", "manage": True})


@role_required(Role.SCHOOL_STAFF)
def staff_notice_edit_view(request, pk: int | None = None):
    notice = get_visible(notices_visible(actor=request.user), request.user, pk=pk) if pk else None
    error, fields = None, {}
    if request.method == "POST":
        args = dict(
            actor=request.user, kind=request.POST.get("kind", ""), title=request.POST.get("title", ""),
            body=request.POST.get("body", ""), is_published=request.POST.get("is_published") == "on",
            client_address=client_address(request),
        )
        try:
            if request.POST.get("delete") and notice:
                services.notice_delete(actor=request.user, notice=notice, client_address=args["client_address"])
                messages.success(request, "已删除")
                return redirect("staff-notices")
            if notice:
                services.notice_update(notice=notice, **args)
            else:
                services.notice_create(**args)
        except DomainError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, "已保存")
            return redirect("staff-notices")
    return render(request, "notices/edit.html", {"notice": notice, "kinds": NoticeKind.choices, "error": error,
                                                 "fields": fields, "data": request.POST if request.method == "POST" else None})
