"""Agreement PDFs that a lost worker never produced (协议书生成中断恢复).

School approval enqueues `generate_agreement_pdf`; a worker killed while rendering leaves
the agreement approved but without its PDF. `recover_missing_pdfs` (run every minute by
`manage.py recover_jobs`) re-enqueues those, and staff can ask for it at once with
「重新生成」 (`agreement_pdf_retry`). Generation itself is idempotent
(`documents.agreement_generate_pdf`), so an extra enqueue never makes a second PDF."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.permissions import REVIEWERS, require_role
from apps.accounts.scoping import get_visible
from apps.audit.services import audit_record
from apps.core.errors import DomainError
from apps.destinations.models import DestinationStatus
from apps.signing.documents import agreement_pdf_due
from apps.signing.models import Agreement, AgreementStatus


def _pending_generation_ids() -> set[int]:
    """Agreements whose generation is already queued or running on the database queue (a
    RUNNING row past its lease was marked FAILED just before, by apps.core.jobs). Other
    backends keep no queryable queue; there a duplicate enqueue is merely wasted work."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from apps.signing.tasks import generate_agreement_pdf

    if not isinstance(generate_agreement_pdf.get_backend(), DatabaseBackend):
        return set()
    pending = DBTaskResult.objects.filter(task_path=generate_agreement_pdf.module_path,
                                          status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
    return {int(args["args"][0]) for args in pending.values_list("args_kwargs", flat=True) if args.get("args")}


def _enqueue(agreement: Agreement, *, actor, summary: str, client_address: str = "") -> None:
    from apps.signing.tasks import generate_agreement_pdf

    with transaction.atomic():
        audit_record(actor=actor, action="agreement.pdf_retry", summary=summary, target=agreement,
                     school_id=agreement.school_id, college_id=agreement.college_id,
                     graduate_id=agreement.graduate_id, client_address=client_address)
        transaction.on_commit(lambda: generate_agreement_pdf.enqueue(agreement.pk))


def recover_missing_pdfs(now: datetime | None = None) -> int:
    """Re-enqueue generation for agreements approved more than AGREEMENT_PDF_GRACE_SECONDS
    ago that still have no PDF and no generation queued. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.AGREEMENT_PDF_GRACE_SECONDS)
    missing = (Agreement.objects.filter(status=AgreementStatus.IN_FORCE, pdf="",
                                        graduate__destination__status=DestinationStatus.SCHOOL_APPROVED,
                                        graduate__destination__school_reviewed_at__lte=cutoff)
               .order_by("pk"))
    pending = _pending_generation_ids()
    count = 0
    for agreement in missing:
        if agreement.pk in pending:
            continue
        _enqueue(agreement, actor=None, summary=f"协议{agreement.number}的协议书PDF未生成（后台任务中断），系统重新提交生成")
        count += 1
    return count


def agreement_pdf_retry(*, actor, agreement: Agreement, client_address: str = "") -> Agreement:
    """「重新生成」: school or college staff re-enqueue a missing PDF without waiting for
    the periodic recovery. Returns the agreement as it is afterwards (with an inline task
    backend the PDF is already there)."""
    require_role(actor, REVIEWERS)
    agreement = get_visible(Agreement, actor, pk=agreement.pk)
    if agreement.pdf:
        raise DomainError("协议书已生成，无需重新生成", code="pdf_present")
    if not agreement_pdf_due(agreement):
        raise DomainError("协议书在学校审核通过后生成，当前不能重新生成", code="not_approved")
    _enqueue(agreement, actor=actor, summary=f"重新生成协议{agreement.number}的协议书PDF", client_address=client_address)
    agreement.refresh_from_db()
    return agreement
