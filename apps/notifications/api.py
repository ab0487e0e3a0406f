"""消息通知 API: the graduate's or the employer account's in-app messages; the kinds the platform
sends; the person's own 消息设置 (read and replace)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.accounts.scoping import visible_to
from apps.core.api import AUTH
from apps.core.net import client_address
from apps.core.pagination import BodyId, PageNumber, PageSize, api_page_bounds
from apps.notifications.kinds import KINDS
from apps.notifications.models import Notification
from apps.notifications.presenters import delivery_state
from apps.notifications.selectors import delivery_address, my_preferences
from apps.notifications.services import notifications_mark_read, preferences_save, sms_available

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


class NotificationKindOut(Schema):
    key: str
    label: str
    group: str
    audience: str
    description: str
    default_channel: str
    default_digest: bool


class NotificationStateOut(Schema):
    code: str
    title: str
    text: str
    tone: str
    actions: list[dict]


class NotificationPreferenceOut(Schema):
    kind: str
    label: str
    group: str
    channel: str
    digest: bool
    saved: bool


class NotificationPreferencesOut(Schema):
    email: str
    sms_available: bool
    state: NotificationStateOut
    items: list[NotificationPreferenceOut]


class NotificationPreferenceIn(Schema):
    kind: str = Field(max_length=40)
    channel: str = Field(max_length=10)
    digest: bool = False


class NotificationPreferencesIn(Schema):
    items: list[NotificationPreferenceIn] = Field(default_factory=list, max_length=100)
    email: str | None = Field(default=None, max_length=254)  # employer users only; None = unchanged


@router.get("/kinds", response=list[NotificationKindOut], summary="平台发送的全部消息类型（名称、分组、对象、默认方式）")
def list_kinds(request):
    require_role(request.user, READERS)
    return [kind.as_dict() for kind in KINDS.values()]


def _preferences(user) -> dict:
    address = delivery_address(actor=user)
    items = [{"kind": row.kind.key, "label": row.kind.label, "group": group, "channel": row.channel,
              "digest": row.digest, "saved": row.saved}
             for group, rows in my_preferences(actor=user) for row in rows]
    return {"email": address, "sms_available": sms_available() and user.role == Role.GRADUATE,
            "state": delivery_state(role=user.role, address=address).as_dict(), "items": items}


@router.get("/preferences", response=NotificationPreferencesOut, summary="本人的消息设置（未保存的类型为默认方式）")
def get_preferences(request):
    require_role(request.user, READERS)
    return _preferences(request.user)


@router.put("/preferences", response=NotificationPreferencesOut,
            summary="保存本人的消息设置（列出的类型；单位账号可同时修改电子邮箱）")
def put_preferences(request, payload: NotificationPreferencesIn):
    require_role(request.user, READERS)
    choices = {item.kind: (item.channel, item.digest) for item in payload.items}
    preferences_save(actor=request.user, choices=choices, email=payload.email,
                     client_address=client_address(request))
    request.user.refresh_from_db(fields=["email"])
    return _preferences(request.user)
