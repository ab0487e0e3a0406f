"""Reads of the staff inbox (待办): per queue a bounded count, the oldest item's age and the share
past its promised date; a queue's items oldest first; the batch action of a queue.

The number of statements does not depend on the data: per queue the same bounded statements
(a COUNT over at most LIST_COUNT_CAP + 1 rows, the oldest age by the queue's ordered index with
LIMIT 1, a bounded overdue COUNT where a date is promised), and an item page is one LIMIT query
plus one lookup of the page's graduates (name and student number only: no encrypted column).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.queues import QUEUES_BY_KEY, BatchResult, Queue, queues_for
from apps.core.crypto import EncryptedTextField
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.core.listing import ListPage, bounded_count


def inbox_queue(key: str, actor) -> Queue:
    """The queue `key` if this actor works on it: an unknown key is a 404, a queue of another
    role a 403 (both in Chinese)."""
    queue = QUEUES_BY_KEY.get(key)
    if queue is None:
        raise NotFound("没有这个待办类别")
    if getattr(actor, "role", "") not in queue.roles:
        raise Forbidden("该待办类别不由您办理")
    return queue


# --- summaries -----------------------------------------------------------------------------------


def age_label(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds >= 86400:
        return f"最早 {seconds // 86400} 天前"
    if seconds >= 3600:
        return f"最早 {seconds // 3600} 小时前"
    return "最早 1 小时内"


@dataclass
class QueueSummary:
    queue: Queue
    count: int
    capped: bool
    oldest_at: datetime | None
    overdue: int | None  # None: the queue promises no date
    now: datetime

    @property
    def key(self) -> str:
        return self.queue.key

    @property
    def label(self) -> str:
        return self.queue.label

    @property
    def empty(self) -> bool:
        return self.count == 0

    @property
    def count_label(self) -> str:
        if self.empty:
            return "无待办"
        return f"超过 {self.count} 条" if self.capped else f"{self.count} 条"

    @property
    def oldest_label(self) -> str:
        return age_label(self.oldest_at, self.now)

    @property
    def overdue_percent(self) -> int | None:
        if self.overdue is None or not self.count:
            return None
        return round(100 * self.overdue / self.count)

    @property
    def overdue_label(self) -> str:
        percent = self.overdue_percent
        if percent is None:
            return "" if self.empty else "无承诺期限"
        return f"超期 {percent}%"

    def as_dict(self) -> dict:
        return {
            "key": self.key, "label": self.label, "count": self.count, "count_capped": self.capped,
            "count_label": self.count_label, "oldest_at": self.oldest_at, "oldest_label": self.oldest_label,
            "has_promise": self.queue.promise is not None, "overdue_count": self.overdue,
            "overdue_percent": self.overdue_percent, "overdue_label": self.overdue_label,
            "batch_action": self.queue.batch.label if self.queue.batch else "",
        }


def queue_summary(queue: Queue, actor, *, now: datetime | None = None) -> QueueSummary:
    now = now or timezone.now()
    waiting = queue.waiting(actor)
    # the same statements whether the queue holds items or not: the page's statement count
    # depends on neither the data's size nor which queues happen to be empty
    count, capped = bounded_count(waiting)
    oldest = (waiting.filter(**{f"{queue.age_field}__isnull": False}).order_by(queue.age_field, "id")
              .values_list(queue.age_field, flat=True).first())
    overdue = None
    if queue.promise is not None:
        today = timezone.localdate(now)
        overdue, _ = bounded_count(waiting.filter(**queue.promise.overdue_filter(queue.age_field, today)))
    return QueueSummary(queue=queue, count=count, capped=capped, oldest_at=oldest, overdue=overdue, now=now)


def inbox_summaries(actor, *, now: datetime | None = None) -> list[QueueSummary]:
    now = now or timezone.now()
    return [queue_summary(queue, actor, now=now) for queue in queues_for(actor)]


# --- items ---------------------------------------------------------------------------------------


@dataclass
class InboxItem:
    pk: int
    who: str
    what: str
    submitted_at: datetime | None
    due_on: date | None
    overdue: bool
    url: str
    selectable: bool  # a batch action may take it


def _encrypted_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def queue_items_queryset(queue: Queue, actor) -> QuerySet:
    """The queue's waiting rows, oldest first (the apps' (scope, status, age, id) indexes), with
    the encrypted columns left unread."""
    qs = queue.waiting(actor)
    deferred = _encrypted_fields(qs.model)
    for relation in queue.related:
        related_model = qs.model._meta.get_field(relation.split("__")[0]).related_model
        deferred += [f"{relation}__{name}" for name in _encrypted_fields(related_model)]
    if queue.related:
        qs = qs.select_related(*queue.related)
    if deferred:
        qs = qs.defer(*deferred)
    return qs.order_by(queue.age_field, "id")


def item_rows(queue: Queue, rows: list, *, today: date | None = None) -> list[InboxItem]:
    """What a person reads about each row of a page; the page's graduates in one query."""
    from apps.graduates.models import Graduate

    today = today or timezone.localdate()
    graduates = {}
    if queue.graduate_field:
        ids = {getattr(row, queue.graduate_field) for row in rows}
        graduates = {g.pk: g for g in Graduate.objects.filter(pk__in=ids).only("id", "name", "student_number")}
    items = []
    for row in rows:
        if queue.graduate_field:
            g = graduates.get(getattr(row, queue.graduate_field))
            who = f"{g.name}（{g.student_number}）" if g else "—"
        else:
            who = queue.who(row) if queue.who else "—"
        due = queue.promise.due_on(row, queue.age_field) if queue.promise else None
        items.append(InboxItem(
            pk=row.pk, who=who, what=queue.what(row), submitted_at=getattr(row, queue.age_field),
            due_on=due, overdue=due is not None and due < today,
            url=reverse(queue.decide_url, kwargs=queue.decide_kwargs(row)), selectable=queue.batch is not None,
        ))
    return items


def page_items(queue: Queue, page: ListPage) -> list[InboxItem]:
    return item_rows(queue, list(page.object_list))


# --- batch ---------------------------------------------------------------------------------------

BATCH_MAX_IDS = 500


def require_batch(queue: Queue) -> None:
    if queue.batch is None:
        raise NotFound("该待办类别不支持批量处理")


def inbox_batch(queue: Queue, *, actor, ids: list[int], client_address: str = "") -> BatchResult:
    """The queue's batch action (its app's own service decides every item and audits it)."""
    require_batch(queue)
    if not ids:
        raise DomainError("请先勾选要处理的记录")
    ids = list(dict.fromkeys(ids))[:BATCH_MAX_IDS]
    return queue.batch.run(actor=actor, ids=ids, client_address=client_address)
