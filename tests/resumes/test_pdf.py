"""The resume PDF: Chinese text (embedded font), the graduate's own resume only, named 简历-<姓名>.pdf."""

from __future__ import annotations

import io
from unittest import mock
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from apps.core.pdf import FONT_FAMILY, pdf_font_names
from tests.resumes.conftest import EDUCATION, INTERNSHIP, SKILL, add

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def test_pdf_has_the_chinese_sections_and_items(world, graduate_api, client):
    add(graduate_api, EDUCATION)
    add(graduate_api, INTERNSHIP, end_month="")
    add(graduate_api, SKILL)
    client.force_login(world.graduate_user)
    response = client.get("/me/resume/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "简历-王小明.pdf" in unquote(response["Content-Disposition"])
    text = pdf_text(response.content)
    for expected in ("王小明", "教育经历", "实习与工作经历", "计算机与软件", "安徽示例大学", "后端开发实习生", "至今"):
        assert expected in text, expected
    assert "项目经历" not in text  # empty sections are left out
    # the embedded font only: its @font-face sits in a separate style sheet, which WeasyPrint
    # dropped silently (system fonts used) until apps/core/pdf.render_pdf shared one FontConfiguration
    assert pdf_font_names(response.content) == {FONT_FAMILY}


def test_pdf_through_the_api(graduate_api):
    add(graduate_api, EDUCATION)
    response = graduate_api.get("/resumes/pdf")
    assert response.status_code == 200
    assert "教育经历" in pdf_text(response.content)


def test_pdf_is_the_graduates_own_only(world, api_client):
    assert api_client.login_as(world.employer_user).get("/resumes/pdf").status_code == 403
    assert api_client.login_as(world.school_admin).get("/resumes/pdf").status_code == 403


def test_pdf_requests_are_throttled(world, client):
    from apps.resumes.throttles import PDF_LIMIT

    client.force_login(world.graduate_user)
    with mock.patch("apps.resumes.documents.resume_pdf", return_value=(b"%PDF-1.7", "简历.pdf")), \
            mock.patch("apps.core.throttle.secrets.randbelow", return_value=1):
        for _ in range(PDF_LIMIT):
            assert client.get("/me/resume/pdf/").status_code == 200
        refused = client.get("/me/resume/pdf/")
    assert refused.status_code == 429
    assert "生成简历文件过于频繁" in refused.content.decode()
