"""The 就业推荐表 PDF and the content it is made of.

The content (生源 facts + résumé summary) is taken once, when the college issues the form, and
stored encrypted on the form: the PDF, the staff preview and the API read that snapshot, so a
later change of 生源 or résumé never changes an issued form. The form shows no ID number and no
phone or e-mail: a 推荐表 travels to employers, who contact the graduate through the platform.

Rendering reuses the agreement's machinery (apps/signing/documents.py): WeasyPrint with the
embedded Noto Sans SC subset (Chinese renders on a machine without Chinese fonts), the QR
helper, the verification URL base and the platform's PAdES signature, so a changed file is
detectable. The style sheet is recommendation_pdf.css (handed to WeasyPrint, not a <style>
element)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from apps.signing.documents import _font_url, qr_data_uri, sign_pdf, signature_intact, verify_url

CONTENT_VERSION = 1
STYLESHEET = Path(__file__).resolve().parent / "recommendation_pdf.css"


def _study_years(graduate) -> str:
    """学制 from 入学年月 and 毕业日期 (whole years), empty when either is missing."""
    if not (graduate.enrolment_date and graduate.graduation_date):
        return ""
    months = ((graduate.graduation_date.year - graduate.enrolment_date.year) * 12
              + graduate.graduation_date.month - graduate.enrolment_date.month)
    years = round(months / 12)
    return f"{years}年" if years > 0 else ""


def recommendation_content(graduate) -> dict:
    """What the form shows, as JSON-ready data (stored encrypted on the form at issue)."""
    from apps.reference.selectors import code_label
    from apps.resumes.snapshot import resume_snapshot

    resume = resume_snapshot(graduate)
    graduation = graduate.graduation_date
    return {
        "version": CONTENT_VERSION,
        "taken_at": timezone.localtime().isoformat(timespec="seconds"),
        "school": graduate.school.name,
        "college": graduate.college.name,
        "basic": {
            "name": graduate.name,
            "student_number": graduate.student_number,
            "gender": code_label("gender", graduate.gender_code),
            "ethnicity": code_label("ethnicity", graduate.ethnicity_code),
            "political_status": code_label("political_status", graduate.political_status_code),
            "education_level": code_label("education_level", graduate.education_level_code, "employment-xldm"),
            "major": graduate.major.name,
            "study_years": _study_years(graduate),
            "graduation": f"{graduation.year}年{graduation.month}月" if graduation else f"{graduate.cohort}届",
            "origin": graduate.origin_division.full_name if graduate.origin_division_id else "",
        },
        # the résumé without its contact block (resume["basic"] carries phone and e-mail)
        "sections": resume["sections"],
        "self_evaluation": resume["self_evaluation"],
    }


def content_dumps(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def content_loads(text: str) -> dict:
    return json.loads(text) if text else {}


def render_recommendation_pdf(context: dict) -> bytes:
    """HTML → PDF (unsigned). `context`: content, form (opinion, reviewer_name, opinion_date,
    verification_code), qr, verify_url."""
    from PIL import ImageFile
    from weasyprint import CSS, HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # weasyprint's import flips it; uploads rely on False
    html = render_to_string("recommendations/recommendation_pdf.html", context)
    css = STYLESHEET.read_text(encoding="utf-8").replace("FONT_URL", _font_url())
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(string=css)])


def recommendation_pdf_bytes(form, content: dict) -> bytes:
    """The signed PDF of a form about to be issued (verification_code, opinion, reviewer and
    date set; not necessarily saved yet)."""
    url = verify_url(form)
    return sign_pdf(render_recommendation_pdf({
        "content": content, "form": form, "qr": qr_data_uri(url), "verify_url": url,
    }))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_uploaded_recommendation(data: bytes):
    """The verify page's upload check for a 推荐表: (form or None, message) when the file's hash is
    one the platform stored for a recommendation form, else None (not a recommendation)."""
    from apps.recommendations.models import RecommendationForm, RecommendationStatus

    form = RecommendationForm.objects.filter(pdf_sha256=sha256(data)).only(
        "status", "verification_code", "voided_at").first()
    if form is None or not signature_intact(data):
        return None
    if form.status == RecommendationStatus.ISSUED:
        return form, f"该文件是平台签发的就业推荐表当前版本（验证码{form.verification_code}），推荐表有效"
    return form, f"该文件是平台签发的就业推荐表（验证码{form.verification_code}），但已作废，请以最新签发的推荐表为准"
