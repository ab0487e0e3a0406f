"""协议验证: the public page the agreement's anti-counterfeit QR opens. It shows whether the
agreement is in force and a few masked facts — nothing more personal — and checks an
uploaded PDF against the platform's signature and the stored hash.

The same page verifies a 就业推荐表: its codes have their own shape (apps/recommendations:
"TJ" + 10 characters), so `verify_any` asks one table or the other, and the page says which kind
of document the code belongs to. Lookups of both kinds count against the same throttle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.core import throttle
from apps.core.errors import DomainError, Throttled
from apps.core.net import client_address
from apps.core.text import mask_id_number, normalise
from apps.signing.documents import PdfCheck, check_uploaded_pdf
from apps.signing.models import Agreement, AgreementStatus

MAX_PDF_BYTES = 10 * 1024 * 1024
UPLOADS_PER_ADDRESS = getattr(settings, "VERIFY_UPLOADS_PER_ADDRESS", 30)
LOOKUPS_PER_ADDRESS = getattr(settings, "VERIFY_MISSES_PER_ADDRESS", 30)
WINDOW_SECONDS = 15 * 60


def mask_person_name(name: str) -> str:
    """王小明 → 王*明, 李华 → 李*, 欧阳娜娜 → 欧**娜."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class VerifiedAgreement:
    status: str  # 有效 / 已解约
    in_force: bool
    number: str
    employer_name: str
    graduate_name: str  # masked
    id_number: str  # masked
    school: str
    signed_on: datetime
    approved_on: datetime | None
    terminated_on: datetime | None
    review_status: str


def _school_approval_time(agreement: Agreement) -> datetime | None:
    """When the school approved this agreement's registration: from the destination while it
    stands, afterwards from the audit trail (a termination resets the destination)."""
    from apps.audit.models import AuditEntry
    from apps.destinations.models import Destination, DestinationSource, DestinationStatus

    if agreement.status == AgreementStatus.IN_FORCE:
        destination = Destination.objects.filter(graduate_id=agreement.graduate_id).only(
            "status", "source", "school_reviewed_at").first()
        if (destination is not None and destination.source == DestinationSource.ONLINE_SIGNING
                and destination.status == DestinationStatus.SCHOOL_APPROVED):
            return destination.school_reviewed_at
        return None
    entries = AuditEntry.objects.filter(graduate_id=agreement.graduate_id, action="destination.review",
                                        occurred_at__gte=agreement.created_at).only("occurred_at", "changes")
    if agreement.terminated_at:
        entries = entries.filter(occurred_at__lte=agreement.terminated_at)
    approved = DestinationStatus.SCHOOL_APPROVED.label
    times = [e.occurred_at for e in entries if (e.changes or {}).get("status", [None, None])[-1] == approved]
    return max(times) if times else None


def verify_lookup(code: str) -> VerifiedAgreement | None:
    from apps.signing.services import agreement_review_status

    code = normalise(code).upper()[:12]
    if not code:
        return None
    agreement = (Agreement.objects.select_related("graduate", "school", "employer", "invitation")
                 .filter(verification_code=code).first())
    if agreement is None:
        return None
    in_force = agreement.status == AgreementStatus.IN_FORCE
    return VerifiedAgreement(
        status=agreement.get_status_display(),
        in_force=in_force,
        number=agreement.number,
        employer_name=agreement.invitation.unit_name,
        graduate_name=mask_person_name(agreement.graduate.name),
        id_number=mask_id_number(agreement.graduate.id_number),
        school=agreement.school.name,
        signed_on=agreement.accepted_at,
        approved_on=_school_approval_time(agreement),
        terminated_on=agreement.terminated_at,
        review_status=agreement_review_status(agreement) if in_force else "",
    )


def verify_any(code: str):
    """An agreement (VerifiedAgreement) or a 就业推荐表 (VerifiedRecommendation) by its code."""
    from apps.recommendations.verification import recommendation_lookup

    code = normalise(code).upper()[:12]
    return recommendation_lookup(code) or verify_lookup(code)


def verify_lookup_throttled(code: str, address: str, lookup=None):
    """Unknown codes count against the client address (guessing codes is slowed down).
    Counted first, then looked up, so parallel guesses cannot get more than the limit looked
    up; a code that exists gives its slot back. `lookup`: agreements only (the default, the
    agreement API) or `verify_any` (the page)."""
    throttle.take("verify-code", address, limit=LOOKUPS_PER_ADDRESS, window_seconds=WINDOW_SECONDS,
                  message="查询次数过多，请{minutes}分钟后再试")
    found = (lookup or verify_lookup)(code)  # looked up at call time (tests count the calls)
    if found is not None:
        throttle.undo("verify-code", address)
    return found


def verify_pdf_upload(uploaded, address: str) -> PdfCheck:
    """check_uploaded_pdf's verdict for an uploaded file; refusals raise DomainError."""
    # every upload counts, before the file is read: parallel uploads cannot get more checked
    throttle.take("verify-upload", address, limit=UPLOADS_PER_ADDRESS, window_seconds=WINDOW_SECONDS,
                  message="上传次数过多，请{minutes}分钟后再试")
    if uploaded is None:
        raise DomainError("请选择要验证的协议书PDF文件", code="pdf_missing", fields={"pdf": "必传"})
    if uploaded.size is not None and uploaded.size > MAX_PDF_BYTES:
        raise DomainError("文件过大，协议书PDF不超过10MB", code="pdf_too_large", fields={"pdf": "不超过10MB"})
    uploaded.seek(0)
    data = uploaded.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise DomainError("文件过大，协议书PDF不超过10MB", code="pdf_too_large", fields={"pdf": "不超过10MB"})
    if not data.startswith(b"%PDF"):
        raise DomainError("该文件不是PDF文件，请上传平台签发的协议书PDF", code="not_pdf", fields={"pdf": "不是PDF文件"})
    check = check_uploaded_pdf(data)
    if check.agreement is None:
        from apps.recommendations.verification import check_uploaded_recommendation

        return check_uploaded_recommendation(data, signature_intact=check.signature_intact) or check
    return check


def _render(request, *, code: str = "", found=None, looked_up: bool = False, result=None, upload_error: str = "",
            status: int = 200):
    return render(request, "signing/verify/verify.html", {
        "code": code, "found": found, "looked_up": looked_up, "result": result, "upload_error": upload_error,
        "max_mb": MAX_PDF_BYTES // (1024 * 1024),
    }, status=status)


def _upload_result(request):
    try:
        return verify_pdf_upload(request.FILES.get("pdf"), client_address(request)), ""
    except Throttled:
        raise
    except DomainError as exc:
        return None, exc.message


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify_index_view(request):
    code = normalise(request.GET.get("code", "")).upper()
    if code and request.method != "POST":
        return redirect("verify-detail", code=code[:12])
    result, upload_error = _upload_result(request) if request.method == "POST" else (None, "")
    return _render(request, result=result, upload_error=upload_error, status=400 if upload_error else 200)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify_detail_view(request, code: str):
    found = verify_lookup_throttled(code, client_address(request), lookup=verify_any)
    result, upload_error = _upload_result(request) if request.method == "POST" else (None, "")
    status = 404 if found is None else (400 if upload_error else 200)
    return _render(request, code=normalise(code).upper()[:12], found=found, looked_up=True, result=result,
                   upload_error=upload_error, status=status)
