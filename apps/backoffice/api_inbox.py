"""待办 API: the actor's queue summaries, a queue's items (bounded page), the queue's batch action."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema

from apps.accounts.permissions import STAFF, require_role
from apps.backoffice.inbox import inbox_batch, inbox_queue, inbox_summaries, item_rows, queue_items_queryset
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import BodyId, PageNumber, PageSize, api_page_bounds

router = Router(tags=["待办"], auth=AUTH)


class InboxQueueOut(Schema):
    key: str
    label: str
    count: int
    count_capped: bool
    count_label: str
    oldest_at: datetime | None
    oldest_label: str
    has_promise: bool
    overdue_count: int | None
    overdue_percent: int | None
    overdue_label: str
    batch_action: str


class InboxSummaryOut(Schema):
    queues: list[InboxQueueOut]


class InboxItemOut(Schema):
    id: int
    who: str
    what: str
    submitted_at: datetime | None
    due_on: date | None
    overdue: bool
    url: str


class InboxItemPage(Schema):
    key: str
    label: str
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[InboxItemOut]


class InboxBatchIn(Schema):
    ids: list[BodyId]


class InboxBatchOut(Schema):
    approved: int
    refusals: list[str]


@router.get("/", response=InboxSummaryOut, summary="工作人员：待办汇总（每类的数量、最早提交时间、超期比例）")
def inbox_summary(request):
    require_role(request.user, STAFF)
    return {"queues": [s.as_dict() for s in inbox_summaries(request.user)]}


@router.get("/{key}/", response=InboxItemPage, summary="工作人员：某类待办的明细（最早提交的在前）")
def inbox_items(request, key: str, page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, STAFF)
    queue = inbox_queue(key, request.user)
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(queue_items_queryset(queue, request.user), page=page, page_size=page_size)
    items = [{**vars(item), "id": item.pk} for item in item_rows(queue, list(listed.object_list))]
    return {"key": queue.key, "label": queue.label, "count": listed.total, "count_capped": listed.total_capped,
            "has_next": listed.has_next, "page": page, "page_size": page_size, "items": items}


@router.post("/{key}/batch-approve", response=InboxBatchOut,
             summary="工作人员：批量通过（仅限支持批量处理的类别；逐条校验，未通过的列出原因）")
def inbox_batch_approve(request, key: str, payload: InboxBatchIn):
    require_role(request.user, STAFF)
    queue = inbox_queue(key, request.user)
    result = inbox_batch(queue, actor=request.user, ids=list(payload.ids), client_address=client_address(request))
    return {"approved": result.approved, "refusals": result.refusals}
