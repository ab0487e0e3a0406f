"""{% unread_notifications as badge %}: the signed-in graduate's or employer user's unread
count as badge text ("" / "3" / "99+"). One statement per request however often a page asks
(kept on the request); nothing for staff or anonymous visitors.
{{ count|unread_badge }}: the same text from a count a view already annotated."""

from __future__ import annotations

from django import template

from apps.notifications import selectors

register = template.Library()

_MEMO = "_unread_notifications"


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    if not hasattr(request, _MEMO):
        user = getattr(request, "user", None)
        count = selectors.unread_count(actor=user) if user is not None and user.is_authenticated else 0
        setattr(request, _MEMO, count)
    return selectors.unread_badge(getattr(request, _MEMO))


@register.filter
def unread_badge(count) -> str:
    return selectors.unread_badge(count)
