"""Pages of the staff inbox (待办): the summary of every queue, a queue's items, its batch action."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.permissions import STAFF, role_required
from apps.backoffice.inbox import (
    inbox_batch,
    inbox_queue,
    inbox_summaries,
    page_items,
    queue_items_queryset,
    require_batch,
)
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import int_or_none

PAGE_SIZE = 30


@role_required(*STAFF)
def inbox_view(request):
    return render(request, "backoffice/inbox.html", {"summaries": inbox_summaries(request.user)})


@role_required(*STAFF)
def inbox_queue_view(request, key: str):
    queue = inbox_queue(key, request.user)
    page = bounded_page(request, queue_items_queryset(queue, request.user), per_page=PAGE_SIZE)
    return render(request, "backoffice/inbox_queue.html", {
        "queue": queue, "page": page, "items": page_items(queue, page), "querystring": "",
    })


@require_POST
@role_required(*STAFF)
def inbox_batch_view(request, key: str):
    queue = inbox_queue(key, request.user)
    require_batch(queue)
    back = HttpResponseRedirect(reverse("staff-inbox-queue", kwargs={"key": queue.key}))
    ids = [i for i in (int_or_none(v) for v in request.POST.getlist("ids")) if i is not None and i > 0]
    try:
        result = inbox_batch(queue, actor=request.user, ids=ids, client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return back
    if result.approved:
        messages.success(request, f"已通过 {result.approved} 条")
    for refusal in result.refusals:
        messages.error(request, refusal)
    return back
