"""推荐表验证: what the public verification page (/verify/<code>/, apps/signing/views_verify.py)
shows for a 就业推荐表 code — the document type, school, college, masked name, issue date and
whether the form is valid (有效) or void (已作废, with the date and whether a newer form replaced
it) — and the upload check of a recommendation PDF (platform signature + stored SHA-256)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apps.recommendations.models import RecommendationForm, RecommendationStatus
from apps.recommendations.services import is_recommendation_code


@dataclass(frozen=True)
class VerifiedRecommendation:
    document = "recommendation"  # the page tells it from an agreement by this
    code: str
    valid: bool
    status: str  # 有效 / 已作废
    graduate_name: str  # masked
    school: str
    college: str
    issued_on: datetime | None
    voided_on: datetime | None
    replaced: bool  # a newer form was issued in its place
    void_reason: str


def recommendation_lookup(code: str) -> VerifiedRecommendation | None:
    """The form with this code (issued or void; a request has no code), or None."""
    from apps.signing.views_verify import mask_person_name

    if not is_recommendation_code(code):
        return None
    form = (RecommendationForm.objects.select_related("graduate", "school", "college")
            .only("verification_code", "status", "issued_at", "voided_at", "replaced_by_id", "void_reason",
                  "graduate__name", "school__name", "college__name")
            .filter(verification_code=code).first())
    if form is None:
        return None
    valid = form.status == RecommendationStatus.ISSUED
    return VerifiedRecommendation(
        code=form.verification_code, valid=valid, status="有效" if valid else RecommendationStatus.VOID.label,
        graduate_name=mask_person_name(form.graduate.name), school=form.school.name, college=form.college.name,
        issued_on=form.issued_at, voided_on=form.voided_at, replaced=bool(form.replaced_by_id),
        void_reason=form.void_reason,
    )


@dataclass(frozen=True)
class RecommendationPdfCheck:
    """Same reading as apps.signing.documents.PdfCheck (the page and the upload API use it alike)."""

    signature_intact: bool
    matches_current: bool
    agreement: None
    message: str
    valid_recommendation: bool


def check_uploaded_recommendation(data: bytes, *, signature_intact: bool) -> RecommendationPdfCheck | None:
    """The verdict for an uploaded file whose hash is one the platform stored for a 推荐表, else None."""
    from apps.recommendations.documents import sha256

    form = RecommendationForm.objects.filter(pdf_sha256=sha256(data)).only("status", "verification_code").first()
    if form is None or not signature_intact:
        return None
    if form.status == RecommendationStatus.ISSUED:
        return RecommendationPdfCheck(True, True, None, f"该文件是平台签发的就业推荐表（验证码{form.verification_code}），"
                                                         "推荐表有效", True)
    return RecommendationPdfCheck(True, True, None, f"该文件是平台签发的就业推荐表（验证码{form.verification_code}），"
                                                     "但已作废，请以最新签发的推荐表为准", False)
