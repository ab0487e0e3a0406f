"""消息通知 page: the graduate's (mobile, 我的) or the employer account's messages; opening
the page marks the shown ones read, 全部标为已读 the rest. 消息设置: per kind in-app only / also e-mail (/ SMS) and 每日摘要."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.accounts.scoping import visible_to
from apps.core.errors import DomainError
from apps.core.net import client_address
from apps.core.pagination import paginate
from apps.notifications.forms import channel_field, digest_field, parse_choices
from apps.notifications.kinds import CHANNEL_LABELS, EMAIL, IN_APP, SMS
from apps.notifications.models import Notification
from apps.notifications.presenters import delivery_state
from apps.notifications.selectors import delivery_address, my_preferences
from apps.notifications.services import notifications_mark_read, preferences_save, sms_available


@role_required(Role.GRADUATE, Role.EMPLOYER)
def notification_list_view(request):
    """Opening the list marks the messages on the page shown read (they keep their 新 mark on
    this view); POST 全部标为已读 marks every unread one, also those on later pages."""
    if request.method == "POST":
        marked = notifications_mark_read(actor=request.user)
        messages.success(request, f"已将{marked}条消息标为已读" if marked else "没有未读消息")
        return redirect("notification-list")
    page = paginate(request, visible_to(Notification, request.user))
    unread = {n.pk for n in page.object_list if n.read_at is None}
    if unread:
        notifications_mark_read(actor=request.user, ids=list(unread))
    base = "graduate_base.html" if request.user.role == Role.GRADUATE else "mobile_base.html"
    return render(request, "notifications/list.html", {"page": page, "unread": unread, "base": base, "tab": "me",
                                                       "querystring": ""})


@role_required(Role.GRADUATE, Role.EMPLOYER)
def notification_settings_view(request):
    """One form for every kind the person can receive, grouped; saved in one transaction."""
    user = request.user
    error, field_errors, posted = None, {}, None
    if request.method == "POST":
        posted = parse_choices(request.POST, user.role)
        email = request.POST.get("email") if user.role == Role.EMPLOYER else None
        try:
            changed = preferences_save(actor=user, choices=posted, email=email,
                                       client_address=client_address(request))
        except DomainError as exc:
            error, field_errors = exc.message, exc.fields or {}
        else:
            messages.success(request, f"消息设置已保存（{changed}项有变化）" if changed else "消息设置已保存")
            return redirect("notification-settings")
    address = delivery_address(actor=user)
    channels = [IN_APP, EMAIL] + ([SMS] if sms_available() and user.role == Role.GRADUATE else [])
    # a graduate without an address receives in-app only (delivery skips e-mail): show that, not
    # a kind's e-mail default they cannot pick; the employer types the address on this same form
    email_unavailable = not address and user.role == Role.GRADUATE
    groups = []
    for group, rows in my_preferences(actor=user):
        items = []
        for row in rows:
            channel, digest = posted.get(row.kind.key, (row.channel, row.digest)) if posted else (row.channel, row.digest)
            if email_unavailable and channel == EMAIL:
                channel, digest = IN_APP, False
            items.append({"kind": row.kind, "channel": channel, "digest": digest,
                          "channel_field": channel_field(row.kind.key), "digest_field": digest_field(row.kind.key),
                          "error": field_errors.get(row.kind.key, "")})
        groups.append({"name": group, "items": items})
    base = "graduate_base.html" if user.role == Role.GRADUATE else "mobile_base.html"
    return render(request, "notifications/settings.html", {
        "base": base, "tab": "me", "groups": groups, "state": delivery_state(role=user.role, address=address),
        "address": address, "email_unavailable": email_unavailable, "channels": [(c, CHANNEL_LABELS[c]) for c in channels], "email_channel": EMAIL,
        "error": error, "field_errors": field_errors,
        "email_value": request.POST.get("email", address) if error else address,
    }, status=400 if error else 200)
