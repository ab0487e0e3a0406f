"""消息通知 page: the graduate's (mobile, 我的) or the employer account's messages; opening
the page marks them read."""

from __future__ import annotations

from django.shortcuts import render

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.accounts.scoping import visible_to
from apps.core.pagination import paginate
from apps.notifications.models import Notification
from apps.notifications.services import notifications_mark_read


@role_required(Role.GRADUATE, Role.EMPLOYER)
def notification_list_view(request):
    page = paginate(request, visible_to(Notification, request.user))
    unread = {n.pk for n in page.object_list if n.read_at is None}
    if unread:
        notifications_mark_read(actor=request.user, ids=list(unread))
    base = "graduate_base.html" if request.user.role == Role.GRADUATE else "mobile_base.html"
    return render(request, "notifications/list.html", {"page": page, "unread": unread, "base": base, "tab": "me",
                                                       "querystring": ""})
