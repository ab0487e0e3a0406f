from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status

from apps.accounts.permissions import require_role
from apps.accounts.scoping import get_visible
from apps.core.api import AUTH
from apps.core.net import client_address
from apps.core.pagination import PageNumber, PageSize, api_page_bounds
from apps.notices import services
from apps.notices.selectors import NOTICE_READERS, notices_visible

router = Router(tags=["通知公告与就业动态"], auth=AUTH)


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    is_published: bool
    published_at: datetime


class NoticeIn(Schema):
    kind: str
    title: str
    body: str
    is_published: bool = True


class NoticePage(Schema):
    count: int
    items: list[NoticeOut]


@router.get("", response=NoticePage, summary="通知公告/就业动态列表（分页）")
def list_notices(request, kind: str | None = None, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, NOTICE_READERS)
    page, page_size, start = api_page_bounds(page, page_size)
    qs = notices_visible(actor=request.user, kind=kind)
    return {"count": qs.count(), "items": list(qs[start : start + page_size])}


@router.get("/{notice_id}", response=NoticeOut, summary="通知详情")
def get_notice(request, notice_id: int):
    require_role(request.user, NOTICE_READERS)
    return get_visible(notices_visible(actor=request.user), request.user, pk=notice_id)


@router.post("", response={201: NoticeOut}, summary="学校管理员发布通知或动态")
def create_notice(request, payload: NoticeIn):
    notice = services.notice_create(actor=request.user, client_address=client_address(request), **payload.dict())
    return Status(201, notice)


@router.put("/{notice_id}", response=NoticeOut, summary="学校管理员修改通知或动态")
def update_notice(request, notice_id: int, payload: NoticeIn):
    notice = get_visible(notices_visible(actor=request.user), request.user, pk=notice_id)
    return services.notice_update(actor=request.user, notice=notice, client_address=client_address(request), **payload.dict())


@router.delete("/{notice_id}", response={204: None}, summary="学校管理员删除通知或动态")
def delete_notice(request, notice_id: int):
    notice = get_visible(notices_visible(actor=request.user), request.user, pk=notice_id)
    services.notice_delete(actor=request.user, notice=notice, client_address=client_address(request))
    return Status(204, None)
