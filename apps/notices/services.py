from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.permissions import SCHOOL_STAFF, require_role
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden
from apps.notices.models import Notice, NoticeKind


def _clean(kind: str, title: str, body: str) -> tuple[str, str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    fields = {}
    if kind not in NoticeKind.values:
        fields["kind"] = "请选择类别"
    if not title:
        fields["title"] = "请填写标题"
    elif len(title) > 120:
        fields["title"] = "标题不超过120字"
    if not body:
        fields["body"] = "请填写正文"
    if fields:
        raise DomainError("请检查填写内容", fields=fields)
    return kind, title, body


def notice_create(*, actor, kind: str, title: str, body: str, is_published: bool, client_address: str = "") -> Notice:
    require_role(actor, SCHOOL_STAFF)
    kind, title, body = _clean(kind, title, body)
    with transaction.atomic():
        notice = Notice.objects.create(
            school_id=actor.school_id, kind=kind, title=title, body=body, is_published=is_published,
            published_at=timezone.now(), author=actor,
        )
        audit_record(actor=actor, action="notice.create", summary=f"发布{notice.get_kind_display()}：{title}",
                     target=notice, school_id=actor.school_id, client_address=client_address)
    return notice


def notice_update(*, actor, notice: Notice, kind: str, title: str, body: str, is_published: bool, client_address: str = "") -> Notice:
    require_role(actor, SCHOOL_STAFF)
    if notice.school_id != actor.school_id:
        raise Forbidden()
    kind, title, body = _clean(kind, title, body)
    with transaction.atomic():
        before = {"kind": notice.kind, "title": notice.title, "is_published": notice.is_published}
        notice.kind, notice.title, notice.body, notice.is_published = kind, title, body, is_published
        notice.save()
        after = {"kind": kind, "title": title, "is_published": is_published}
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        audit_record(actor=actor, action="notice.update", summary=f"修改：{title}", target=notice,
                     school_id=actor.school_id, changes=changes, client_address=client_address)
    return notice


def notice_delete(*, actor, notice: Notice, client_address: str = "") -> None:
    require_role(actor, SCHOOL_STAFF)
    if notice.school_id != actor.school_id:
        raise Forbidden()
    with transaction.atomic():
        audit_record(actor=actor, action="notice.delete", summary=f"删除：{notice.title}", target=notice,
                     school_id=actor.school_id, client_address=client_address)
        notice.delete()
