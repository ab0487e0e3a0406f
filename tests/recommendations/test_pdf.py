"""The 就业推荐表 PDF: Chinese text with the font embedded (renders on a machine without any
Chinese font — proven in a process whose fontconfig knows no fonts at all), the school as its
title, the opinion, reviewer and code; the platform's signature; no ID number, no phone."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from apps.signing.documents import signature_intact
from tests.recommendations.conftest import OPINION, issue

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
LATIN_FONTS = "/usr/share/fonts/truetype/dejavu"


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def embedded_fonts(data: bytes) -> list[str]:
    """Base names of the fonts whose program is inside the file (FontFile / FontFile2 / FontFile3)."""
    names = []
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            for f in ([d.get_object() for d in descendants] if descendants else [font]):
                descriptor = f.get("/FontDescriptor")
                if descriptor is not None and any(k in descriptor.get_object()
                                                  for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.append(str(f["/BaseFont"]))
    return names


@pytest.fixture
def issued(world, resume):
    world.graduate.phone = "13812345678"
    world.graduate.save()
    form = issue(world.college_admin, world.graduate)
    form.refresh_from_db()
    return form


def test_pdf_shows_the_form_in_chinese(world, issued):
    data = issued.pdf.read()
    text = pdf_text(data)
    for expected in ("安徽示例大学", "毕业生就业推荐表", "王小明", "计算机学院", "软件工程", "院系推荐意见",
                     OPINION[:12], "张老师", issued.verification_code, "教育经历", "获奖情况", "校级一等奖学金",
                     "自我评价", "扫码验证"):
        assert expected in text, expected
    assert text.index("安徽示例大学") < text.index("毕业生就业推荐表")  # the school is the title


def test_pdf_embeds_its_chinese_font(issued):
    fonts = embedded_fonts(issued.pdf.read())
    assert fonts and all("+" in name for name in fonts)  # subset fonts, embedded in the file
    assert any("PlatformSans" in name for name in fonts)  # the platform's font, not a system one


def test_pdf_holds_no_id_number_and_no_phone(world, issued):
    text = pdf_text(issued.pdf.read())
    assert world.graduate.id_number not in text
    assert world.graduate.id_number[-8:] not in text
    assert "13812345678" not in text and "身份证" not in text


def test_pdf_carries_the_platform_signature_and_its_stored_hash(issued):
    import hashlib

    data = issued.pdf.read()
    assert signature_intact(data)
    assert hashlib.sha256(data).hexdigest() == issued.pdf_sha256
    assert not signature_intact(data.replace(b"/Producer", b"/Pr0ducer", 1))


@pytest.mark.skipif(not Path(LATIN_FONTS).is_dir(), reason="needs the DejaVu fonts as the only system fonts")
def test_pdf_renders_chinese_without_any_system_chinese_font(tmp_path, issued):
    """A fresh process whose fontconfig knows Latin fonts only (no font at all crashes Pango
    itself): the text still comes out Chinese, because the font travels with the platform."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f'<fontconfig><dir>{LATIN_FONTS}</dir><cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>')
    script = (
        "import django, json, sys, io\n"
        "django.setup()\n"
        "from apps.recommendations.documents import render_recommendation_pdf\n"
        "from types import SimpleNamespace as N\n"
        "from datetime import date\n"
        "ctx = json.loads(sys.argv[1])\n"
        "form = N(opinion=ctx['opinion'], reviewer_name='张老师', opinion_date=date(2026, 6, 1),"
        " verification_code='TJ23456789AB')\n"
        "data = render_recommendation_pdf({'content': ctx['content'], 'form': form, 'qr': '', 'verify_url': ''})\n"
        "sys.stdout.buffer.write(data)\n"
    )
    from apps.recommendations.documents import content_loads

    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "DJANGO_SETTINGS_MODULE": "config.settings"}
    chinese = subprocess.run(["fc-list", ":lang=zh"], env=env, capture_output=True, text=True, check=True)
    latin = subprocess.run(["fc-list"], env=env, capture_output=True, text=True, check=True)
    assert chinese.stdout.strip() == "" and latin.stdout.strip()  # no Chinese font in this process's view
    done = subprocess.run([sys.executable, "-c", script,
                           json.dumps({"opinion": OPINION, "content": content_loads(issued.content)})],
                          env=env, cwd=ROOT, capture_output=True, timeout=120, check=True)
    text = pdf_text(done.stdout)
    assert "毕业生就业推荐表" in text and "王小明" in text and "院系推荐意见" in text
