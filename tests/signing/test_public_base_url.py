"""PLATFORM_PUBLIC_BASE_URL, the address printed in agreement PDFs' anti-counterfeit QR:
production refuses to start without it, the embedded default derives it from the address it
serves (HOST/PORT), a PDF made under PORT=8123 points there, and staff are told when the
QR of a PDF points at this machine only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from pypdf import PdfReader

from apps.signing import documents
from apps.signing.documents import agreement_generate_pdf
from tests.signing.helpers import accept, invite, make_ready
from tests.signing.test_pdf_recovery import approve_both, media  # noqa: F401 - fixture

BASE_DIR = documents.settings.BASE_DIR
PROBE = ("from django.conf import settings; import json; "
         "print(json.dumps([settings.PUBLIC_BASE_URL, settings.ALLOWED_HOSTS]))")


def settings_in(tmp_path, **env) -> subprocess.CompletedProcess:
    """config.settings evaluated in a fresh process with exactly this environment."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
             "DJANGO_SETTINGS_MODULE": "config.settings", "PLATFORM_VAR_DIR": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); " + PROBE],
                          cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120)


def served_settings(tmp_path, **env) -> tuple[str, list[str]]:
    result = settings_in(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    base, hosts = json.loads(result.stdout.strip().splitlines()[-1])
    return base, hosts


def test_the_embedded_default_derives_the_base_url_from_the_port_it_serves(tmp_path):
    base, hosts = served_settings(tmp_path, PORT="8123")
    assert base == "http://127.0.0.1:8123"
    assert served_settings(tmp_path)[0] == "http://127.0.0.1:8000"
    assert "127.0.0.1" in hosts


def test_a_host_it_serves_is_accepted_and_printed(tmp_path):
    base, hosts = served_settings(tmp_path, HOST="192.168.10.5", PORT="9000")
    assert base == "http://192.168.10.5:9000" and "192.168.10.5" in hosts
    # bound to every interface: the QR carries a real address of the machine, never 0.0.0.0
    wildcard, hosts = served_settings(tmp_path, HOST="0.0.0.0", PORT="9000")
    assert "0.0.0.0" not in wildcard and wildcard.endswith(":9000")
    assert wildcard.removeprefix("http://").rsplit(":", 1)[0] in hosts
    # an explicit public address wins over the served one
    assert served_settings(tmp_path, PORT="8123", PLATFORM_PUBLIC_BASE_URL="https://jy.example.edu.cn/")[0] \
        == "https://jy.example.edu.cn"


def production_env() -> dict[str, str]:
    import base64

    def key():
        return base64.b64encode(os.urandom(32)).decode()

    return {"PLATFORM_PRODUCTION": "1", "DJANGO_SECRET_KEY": "x" * 50, "PII_ENCRYPTION_KEY": key(),
            "PII_HASH_KEY": key(), "AUDIT_HMAC_KEY": key(), "DJANGO_ALLOWED_HOSTS": "jy.example.edu.cn",
            "REGISTRY_SECRET": "s" * 32}


def test_production_refuses_to_start_without_a_public_base_url(tmp_path):
    refused = settings_in(tmp_path, **production_env())
    assert refused.returncode != 0
    assert "PLATFORM_PUBLIC_BASE_URL is required in production" in refused.stderr
    accepted = settings_in(tmp_path, **production_env(), PLATFORM_PUBLIC_BASE_URL="https://jy.example.edu.cn")
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout.strip().splitlines()[-1])[0] == "https://jy.example.edu.cn"


def test_a_malformed_public_base_url_stops_start_up(tmp_path):
    refused = settings_in(tmp_path, PLATFORM_PUBLIC_BASE_URL="jy.example.edu.cn")
    assert refused.returncode != 0 and "must be an http(s) address" in refused.stderr


@pytest.fixture
def approved(world):
    make_ready(world.graduate)
    invitation, _ = invite(world.graduate, world.graduate_user)
    agreement = accept(world.graduate_user, invitation)
    approve_both(world)
    return agreement


def test_a_pdf_made_under_port_8123_points_its_qr_there(tmp_path, settings, approved, media, monkeypatch):  # noqa: F811
    settings.PUBLIC_BASE_URL = served_settings(tmp_path, PORT="8123")[0]
    encoded = []
    real_qr = documents.qr_data_uri
    monkeypatch.setattr(documents, "qr_data_uri", lambda text, **kw: encoded.append(text) or real_qr(text, **kw))

    assert agreement_generate_pdf(approved.pk)
    approved.refresh_from_db()
    expected = f"http://127.0.0.1:8123/verify/{approved.verification_code}"
    assert encoded == [expected]  # what the QR image encodes
    with approved.pdf.open("rb") as stored:
        printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.read())).pages)
    assert expected in printed.replace("\n", "")  # the address printed beside it


def staff_page(user, agreement) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/staff/agreements/{agreement.pk}/").content.decode()


def test_staff_are_told_when_the_pdf_qr_points_at_this_machine(settings, world, approved, media):  # noqa: F811
    assert agreement_generate_pdf(approved.pk)
    approved.refresh_from_db()
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    page = staff_page(world.school_admin, approved)
    assert 'id="agreement-qr-loopback"' in page
    assert "本协议书二维码指向本机地址（127.0.0.1），外部扫码无法打开" in page

    settings.PUBLIC_BASE_URL = "https://jy.example.edu.cn"
    assert 'id="agreement-qr-loopback"' not in staff_page(world.school_admin, approved)


def test_no_loopback_warning_before_there_is_a_pdf(settings, world):
    make_ready(world.graduate)
    invitation, _ = invite(world.graduate, world.graduate_user)
    agreement = accept(world.graduate_user, invitation)  # not yet approved: no PDF
    settings.PUBLIC_BASE_URL = "http://localhost:8000"
    assert 'id="agreement-qr-loopback"' not in staff_page(world.school_admin, agreement)
    assert documents.loopback_host() == "localhost"
    assert documents.loopback_host("http://[::1]:8000") == "::1"
    assert documents.loopback_host("http://10.0.0.8:8000") is None
