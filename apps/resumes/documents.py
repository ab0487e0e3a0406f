"""The resume PDF (简历): the resume snapshot rendered by WeasyPrint with the embedded Noto Sans
SC subset, through apps/core/pdf.render_pdf like every PDF, so Chinese renders on a
machine without a Chinese font. The style sheet is apps/resumes/resume_pdf.css (handed to
WeasyPrint, not a <style> element: the template stays free of inline styles)."""

from __future__ import annotations

from pathlib import Path

from apps.core.pdf import render_pdf
from apps.resumes.snapshot import resume_snapshot

STYLESHEET = Path(__file__).resolve().parent / "resume_pdf.css"


def render_resume_pdf(snapshot: dict) -> bytes:
    return render_pdf("resumes/resume_pdf.html", {"resume": snapshot}, stylesheet=STYLESHEET)


def resume_pdf(graduate) -> tuple[bytes, str]:
    """(the PDF, its download name 简历-<姓名>.pdf) of the graduate's resume as it is now."""
    snapshot = resume_snapshot(graduate)
    return render_resume_pdf(snapshot), f"简历-{snapshot['basic']['name']}.pdf"


def resume_pdf_download(*, actor, graduate):
    """The page's and the API's download: counted per person first (apps/resumes/throttles),
    then rendered, as an attachment named 简历-姓名.pdf."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from apps.resumes.throttles import take_pdf

    take_pdf(actor)
    data, filename = resume_pdf(graduate)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
