from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import visible_to
from apps.notices.models import Notice


def notices_for_graduate(*, graduate, kind: str | None = None) -> QuerySet[Notice]:
    qs = Notice.objects.filter(school_id=graduate.school_id, is_published=True, published_at__lte=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_at", "-id")


# Who reads notices at all (employers have no school's notices to read).
NOTICE_READERS = (Role.GRADUATE, Role.COLLEGE_STAFF, Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


def notices_visible(*, actor, kind: str | None = None) -> QuerySet[Notice]:
    """What the actor may read: graduates only published ones of their school; staff all of theirs."""
    qs = visible_to(Notice, actor)
    if actor.role == "graduate":
        qs = qs.filter(is_published=True, published_at__lte=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("school").order_by("-published_at", "-id")
