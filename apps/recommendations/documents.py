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

from django.utils import timezone

from apps.signing.documents import qr_data_uri, sign_pdf, verify_url

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
    """HTML → PDF (unsigned) through the platform's one renderer (apps/core/pdf.py: the embedded
    font via a FontConfiguration). `context`: content, form (opinion, reviewer_name, opinion_date,
    verification_code), qr, verify_url."""
    from apps.core.pdf import render_pdf

    return render_pdf("recommendations/recommendation_pdf.html", context, stylesheet=STYLESHEET)


def recommendation_pdf_bytes(form, content: dict) -> bytes:
    """The signed PDF of a form about to be issued (verification_code, opinion, reviewer and
    date set; not necessarily saved yet)."""
    url = verify_url(form)
    return sign_pdf(render_recommendation_pdf({
        "content": content, "form": form, "qr": qr_data_uri(url), "verify_url": url,
    }))


def store_pdf(school_id: int, data: bytes) -> str:
    """The file under a fresh random name (the name that counts is set by the caller's UPDATE)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from apps.core.files import random_storage_name

    return default_storage.save(random_storage_name(f"recommendations/{school_id}", "pdf"), ContentFile(data))


def recommendation_pdf_ensure(form):
    """The form with its PDF: one issued without it (the demo data) gets it rendered from the
    stored content now. Idempotent and safe to race: only the conditional UPDATE of an empty
    `pdf` makes a file "the" PDF; a loser deletes its own file and reads the winner's."""
    from apps.recommendations.models import RecommendationForm

    if form.pdf or not form.verification_code:
        return form
    data = recommendation_pdf_bytes(form, content_loads(form.content))
    name = store_pdf(form.school_id, data)
    claimed = RecommendationForm.objects.filter(pk=form.pk, pdf="").update(pdf=name, pdf_sha256=sha256(data))
    if not claimed:
        from apps.core.files import delete_stored_files

        delete_stored_files([name])
    form.refresh_from_db(fields=["pdf", "pdf_sha256"])
    return form


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
