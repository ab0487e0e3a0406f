"""职位发布与审核 (C9): the one door for every change of a posting.

guard → write → audit entry, in one transaction. Employer pages, staff pages, the API, the
fraud-report desk (take down) and the expiry job all call these functions.

Employers act only on their own postings (`visible_to(Posting, actor)`: the main account and
approved sub-accounts carry `employer_id`); staff only on postings of their channel."""

from __future__ import annotations

from datetime import date, timedelta  # noqa: F401 (used below)

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.accounts.scoping import visible_to
from apps.audit.services import audit_record
from apps.core.errors import DomainError, NotFound
from apps.jobs.models import ClosedReason, Posting, PostingStatus

S = PostingStatus
REASON_MAX = 300
STAFF_ROLES = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


# --- helpers ---------------------------------------------------------------------------

def _locked(posting: Posting, actor) -> Posting:
    """The posting re-read under a row lock, through what the actor may see (a stranger's
    posting looks like a missing one)."""
    try:
        return visible_to(Posting, actor).select_for_update().select_related("employer").get(pk=posting.pk)
    except Posting.DoesNotExist:
        raise NotFound() from None


def _reason(reason: str, *, required_message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(required_message, code="reason_required", fields={"reason": required_message})
    if len(reason) > REASON_MAX:
        raise DomainError(f"原因不超过{REASON_MAX}字", fields={"reason": f"不超过{REASON_MAX}字"})
    return reason


def _audit(actor, posting: Posting, action: str, summary: str, changes: dict | None = None) -> None:
    audit_record(actor=actor, action=action, summary=f"职位“{posting.title}”{summary}", target=posting,
                 school_id=posting.channel_school_id, changes=changes or {})


def _copy_back(target: Posting, source: Posting) -> None:
    for field in ("status", "closed_reason", "review_reason", "reviewed_by_id", "reviewed_at", "submitted_at",
                  "published_at", "updated_at"):
        setattr(target, field, getattr(source, field))


def _notify_employer(posting: Posting, *, title: str, body: str = "") -> None:
    from apps.notifications.services import notify

    notify(kind="posting.review", title=title, body=body, employer=posting.employer,
           link=f"/employer/postings/{posting.pk}/")


# --- staff: take down (举报处理 calls this too) -----------------------------------------

def posting_take_down(*, actor, posting: Posting, reason: str) -> Posting:
    """下架: staff of the posting's channel (the school for its channel; the province for any
    channel of the province) take a posting out of the search: CLOSED / TAKEN_DOWN, with the
    reason shown to the employer, who is notified."""
    require_role(actor, STAFF_ROLES)
    reason = _reason(reason, required_message="请填写下架原因")
    with transaction.atomic():
        locked = _locked(posting, actor)
        if locked.status == S.CLOSED:
            raise DomainError(f"该职位已下线（{locked.get_closed_reason_display()}），无需再下架", code="already_closed")
        before = locked.get_status_display()
        locked.status = S.CLOSED
        locked.closed_reason = ClosedReason.TAKEN_DOWN
        locked.review_reason = reason
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "closed_reason", "review_reason", "reviewed_by", "reviewed_at",
                                   "updated_at"])
        _audit(actor, locked, "posting.take_down", f"被下架：{reason}",
               {"status": [before, locked.get_status_display()]})
        _notify_employer(locked, title=f"职位“{locked.title}”已被管理员下架", body=f"下架原因：{reason}")
    _copy_back(posting, locked)
    return locked
