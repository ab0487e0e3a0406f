"""The resume PDF (简历): the resume snapshot rendered by WeasyPrint with the embedded Noto Sans
SC subset, exactly as the agreement PDF (apps/signing/documents.py), so Chinese renders on a
machine without a Chinese font. The style sheet is apps/resumes/resume_pdf.css (handed to
WeasyPrint, not a <style> element: the template stays free of inline styles)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from apps.resumes.snapshot import resume_snapshot

STYLESHEET = Path(__file__).resolve().parent / "resume_pdf.css"


def _font_url() -> str:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path()).resolve().as_uri()


def render_resume_pdf(snapshot: dict) -> bytes:
    from PIL import ImageFile
    from weasyprint import CSS, HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # weasyprint's import flips it; uploads rely on False
    html = render_to_string("resumes/resume_pdf.html", {"resume": snapshot})
    css = STYLESHEET.read_text(encoding="utf-8").replace("FONT_URL", _font_url())
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(string=css)])


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
