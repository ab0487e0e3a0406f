"""The doors of employer accounts (C9): registration (main account or sub-account), the main
account's decision on sub-accounts, profile edits, and the staff's review, suspension and
reinstatement. Each door checks who acts, runs in one transaction and leaves an audit entry.

Who decides on an employer: the province's staff when it asked the province for verification
(`verifier_school` empty), the school's staff when it asked that school. Province staff may
also suspend (and reinstate) any employer of their province. Callers fetch the employer through
`visible_to(Employer, actor)` first, so a stranger's employer is a 404 before it gets here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden
from apps.organisations.models import Employer, EmployerStatus

MAX_REASON = 300
MAX_INTRODUCTION = 2000
REGISTER_SCOPE = "employer-register"
REGISTER_LIMIT = 10  # registrations per client address per window
REGISTER_WINDOW_SECONDS = 3600

# the fields a verified employer may still change on its own (the rest was verified)
VERIFIED_EDITABLE = ("contact_name", "contact_mobile", "address", "size", "introduction")
UNIT_FIELDS = ("name", "nature_code", "industry_code", "division", "address", "size", "contact_name",
               "contact_mobile", "introduction")

MSG_REASON_REQUIRED = "请填写原因"


# --- who decides -------------------------------------------------------------------------

def reviewer_refusal(actor, employer: Employer) -> str | None:
    """None when `actor` reviews this employer's verification; otherwise the Chinese reason."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "请先登录"
    if actor.role == Role.PROVINCE_STAFF:
        if employer.verifier_province_id != actor.province_id:
            return "该单位不属于本省"
        if employer.verifier_school_id is not None:
            return "该单位申请由院校认证，由该院校审核"
        return None
    if actor.role == Role.SCHOOL_STAFF:
        if employer.verifier_school_id is None or employer.verifier_school_id != actor.school_id:
            return "该单位不是向本校申请的认证"
        return None
    return "无权审核用人单位"


def suspender_refusal(actor, employer: Employer) -> str | None:
    """Province staff suspend any employer of their province; school staff the ones they verify."""
    if actor is not None and getattr(actor, "role", None) == Role.PROVINCE_STAFF:
        if employer.verifier_province_id is not None and employer.verifier_province_id == actor.province_id:
            return None
        return "该单位不属于本省"
    return reviewer_refusal(actor, employer)


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in (
            Role.PROVINCE_STAFF, Role.SCHOOL_STAFF):
        raise Forbidden("无权审核用人单位")


def _locked(employer: Employer) -> Employer:
    return Employer.objects.select_for_update().get(pk=employer.pk)


def _clean_reason(reason, *, required_message: str = MSG_REASON_REQUIRED) -> str:
    text = (str(reason) if reason is not None else "").strip()
    if not text:
        raise DomainError(required_message, code="reason_required", fields={"reason": required_message})
    if len(text) > MAX_REASON:
        message = f"原因不超过{MAX_REASON}个字"
        raise DomainError(message, code="too_long", fields={"reason": message})
    return text


def _notify(employer: Employer, title: str, body: str = "") -> None:
    from apps.notifications.services import notify

    notify(kind="employer.review", title=title, body=body, link="/employer/profile/", employer=employer)


# --- suspension ----------------------------------------------------------------------------

def employer_suspend(*, actor, employer: Employer, reason: str, client_address: str = "") -> Employer:
    """停用: the employer's postings vanish from search at once (the posting selectors read the
    employer's status) and it can send no signing invitation. Refused for an employer already
    suspended."""
    _require_staff(actor)
    reason = _clean_reason(reason, required_message="请填写停用原因")
    with transaction.atomic():
        locked = _locked(employer)
        refusal = suspender_refusal(actor, locked)
        if refusal:
            raise Forbidden(refusal)
        if locked.status == EmployerStatus.SUSPENDED:
            raise DomainError("该单位已停用", code="already_suspended")
        before = locked.status
        locked.status, locked.status_reason = EmployerStatus.SUSPENDED, reason
        locked.save(update_fields=["status", "status_reason"])
        audit_record(actor=actor, action="employer.suspend", summary=f"停用用人单位：{locked.name}"[:200],
                     target=locked, school_id=locked.verifier_school_id,
                     changes={"status": [before, EmployerStatus.SUSPENDED], "reason": ["", reason]},
                     client_address=client_address)
        _notify(locked, "单位账号已停用", f"原因：{reason}")
    employer.status, employer.status_reason = locked.status, locked.status_reason
    return locked


def _status_before_suspension(employer: Employer) -> str:
    from apps.audit.models import AuditEntry

    entry = (AuditEntry.objects.filter(action="employer.suspend", target_type="Employer", target_id=str(employer.pk))
             .order_by("-occurred_at", "-id").only("changes").first())
    before = ((entry.changes or {}).get("status") or [None])[0] if entry is not None else None
    if before in EmployerStatus.values and before != EmployerStatus.SUSPENDED:
        return before
    return EmployerStatus.VERIFIED if employer.reviewed_at else EmployerStatus.PENDING


def employer_reinstate(*, actor, employer: Employer, client_address: str = "") -> Employer:
    """恢复: back to the state the employer had before it was suspended."""
    _require_staff(actor)
    with transaction.atomic():
        locked = _locked(employer)
        refusal = suspender_refusal(actor, locked)
        if refusal:
            raise Forbidden(refusal)
        if locked.status != EmployerStatus.SUSPENDED:
            raise DomainError("该单位未被停用，无需恢复", code="not_suspended")
        after = _status_before_suspension(locked)
        locked.status, locked.status_reason = after, ""
        locked.save(update_fields=["status", "status_reason"])
        audit_record(actor=actor, action="employer.reinstate", summary=f"恢复用人单位：{locked.name}"[:200],
                     target=locked, school_id=locked.verifier_school_id,
                     changes={"status": [EmployerStatus.SUSPENDED, after]}, client_address=client_address)
        _notify(locked, "单位账号已恢复", f"当前状态：{EmployerStatus(after).label}")
    employer.status, employer.status_reason = locked.status, locked.status_reason
    return locked


# --- review --------------------------------------------------------------------------------

def employer_review(*, actor, employer: Employer, approve: bool, reason: str = "", client_address: str = "") -> Employer:
    """认证审核: 待审核 → 已认证, or → 已驳回 with a reason the employer reads."""
    _require_staff(actor)
    if not approve:
        reason = _clean_reason(reason, required_message="请填写驳回原因")
    else:
        reason = ""
    with transaction.atomic():
        locked = _locked(employer)
        refusal = reviewer_refusal(actor, locked)
        if refusal:
            raise Forbidden(refusal)
        if locked.status != EmployerStatus.PENDING:
            raise DomainError(f"该单位当前状态为“{locked.get_status_display()}”，不能审核", code="not_pending")
        after = EmployerStatus.VERIFIED if approve else EmployerStatus.REJECTED
        locked.status, locked.status_reason = after, reason
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        locked.save(update_fields=["status", "status_reason", "reviewed_by", "reviewed_at"])
        audit_record(actor=actor, action="employer.review",
                     summary=f"{'通过' if approve else '驳回'}用人单位认证：{locked.name}"[:200],
                     target=locked, school_id=locked.verifier_school_id,
                     changes={"status": [EmployerStatus.PENDING, after], **({"reason": ["", reason]} if reason else {})},
                     client_address=client_address)
        if approve:
            _notify(locked, "单位认证已通过", "现在可以发布职位")
        else:
            _notify(locked, "单位认证未通过", f"原因：{reason}。请修改单位信息后重新提交")
    employer.status, employer.status_reason = locked.status, locked.status_reason
    return locked
