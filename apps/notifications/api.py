"""消息通知 API: the graduate's or the employer account's in-app messages."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.accounts.scoping import visible_to
from apps.core.api import AUTH
from apps.core.pagination import BodyId, PageNumber, PageSize, api_page_bounds
from apps.notifications.models import Notification
from apps.notifications.services import notifications_mark_read

router = Router(tags=["消息通知"], auth=AUTH)
READERS = (Role.GRADUATE, Role.EMPLOYER)


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    read: bool
    created_at: datetime


class NotificationPage(Schema):
    count: int
    unread: int
    page: int
    page_size: int
    items: list[NotificationOut]


class ReadIn(Schema):
    ids: list[BodyId] | None = None  # none: all


class ReadOut(Schema):
    marked: int


def _out(note: Notification) -> dict:
    return {"id": note.pk, "kind": note.kind, "title": note.title, "body": note.body, "link": note.link,
            "read": note.read_at is not None, "created_at": note.created_at}


@router.get("/", response=NotificationPage, summary="本人的消息通知（最新在前，分页）")
def list_notifications(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, READERS)
    page, page_size, start = api_page_bounds(page, page_size)
    qs = visible_to(Notification, request.user)
    return {"count": qs.count(), "unread": qs.filter(read_at__isnull=True).count(), "page": page,
            "page_size": page_size, "items": [_out(n) for n in qs[start : start + page_size]]}


@router.post("/read", response=ReadOut, summary="标记为已读（ids 省略时全部标记）")
def mark_read(request, payload: ReadIn):
    require_role(request.user, READERS)
    return {"marked": notifications_mark_read(actor=request.user, ids=payload.ids)}
