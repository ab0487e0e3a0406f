"""Limits of the resume doors that cost the server work (a PDF is rendered on each request)."""

from __future__ import annotations

from apps.core import throttle

PDF_LIMIT = 20  # PDFs per person per window
PDF_WINDOW_SECONDS = 600


def take_pdf(actor) -> None:
    throttle.take("resume-pdf", str(actor.pk), limit=PDF_LIMIT, window_seconds=PDF_WINDOW_SECONDS,
                  message="生成简历文件过于频繁，请{minutes}分钟后再试")
