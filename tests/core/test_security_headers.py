"""Content-Security-Policy on pages and the API, no inline script left in any template,
and a production configuration that `manage.py check --deploy` finds clean."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin

from apps.core.security import policy_for

BASE_DIR = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [BASE_DIR / "templates", *sorted((BASE_DIR / "apps").glob("*/templates"))]
# Rendered to PDF by WeasyPrint on the server, never served to a browser.
NOT_SERVED = {"signing/agreement_pdf.html"}


def directives(header: str) -> dict[str, str]:
    parts = (p.strip() for p in header.split(";") if p.strip())
    return {name: value for name, _, value in (p.partition(" ") for p in parts)}


def assert_strict(header: str) -> dict[str, str]:
    d = directives(header)
    assert d["default-src"] == "'self'"
    assert d["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert d["object-src"] == "'none'"
    assert d["base-uri"] == "'self'"
    assert d["form-action"] == "'self'"
    assert d["img-src"] == "'self' data: blob:"
    assert d["style-src-elem"] == "'self'"  # <style> elements refused; style="" allowed
    return d


@pytest.mark.django_db
def test_login_pages_send_the_policy(client):
    for path in ("/login/", "/staff/login/"):
        response = client.get(path)
        assert response.status_code == 200
        d = assert_strict(response["Content-Security-Policy"])
        assert d["frame-ancestors"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"


def test_api_responses_send_the_policy(api_client):
    response = api_client.get("/openapi.json")
    assert response.status_code == 200
    assert_strict(response["Content-Security-Policy"])


@pytest.mark.django_db
def test_api_error_responses_send_the_policy(api_client):
    api_client.token = "not-a-token"
    response = api_client.get("/auth/me")
    assert response.status_code == 401
    assert_strict(response["Content-Security-Policy"])


def test_api_docs_load_swagger_from_this_site_only(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert_strict(response["Content-Security-Policy"])
    sources = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", html)
    assert any("swagger-ui-bundle.js" in s for s in sources), sources
    assert all(s.startswith("/static/") for s in sources), sources  # no CDN: no internet at run time
    # The only inline <script> is the JSON settings block, which browsers never execute.
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, body[:80]


def test_swagger_files_are_among_the_static_files():
    """collectstatic (production) and the development server find them."""
    from django.contrib.staticfiles import finders

    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(name), name


def test_pdf_gets_only_the_framing_rule():
    """Chromium's PDF viewer shows a blank frame under default-src/object-src."""
    pdf = xframe_options_sameorigin(lambda request: HttpResponse(b"%PDF-1.7", content_type="application/pdf"))(None)
    assert policy_for(pdf) == "frame-ancestors 'self'"
    page = HttpResponse("<p>x</p>")
    assert directives(policy_for(page))["frame-ancestors"] == "'none'"


def test_a_view_may_set_its_own_policy(rf, settings):
    from apps.core.security import ContentSecurityPolicyMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    assert ContentSecurityPolicyMiddleware(view)(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"


INLINE_HANDLER = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=", re.S)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


def served_templates():
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            name = path.relative_to(directory).as_posix()
            if name not in NOT_SERVED:
                yield name, path.read_text(encoding="utf-8")


def test_the_template_scan_finds_templates():
    names = [name for name, _ in served_templates()]
    assert "base.html" in names and "signing/graduate/confirm.html" in names


def test_no_template_has_inline_script_or_event_handlers():
    problems = []
    for name, text in served_templates():
        for attrs, body in SCRIPT.findall(text):
            if body.strip() or "src=" not in attrs:
                problems.append(f"{name}: inline <script>")
        for match in INLINE_HANDLER.finditer(text):
            problems.append(f"{name}: {match.group(1)}= handler")
        if "hx-on" in text:
            problems.append(f"{name}: hx-on attribute (inline script)")
        if re.search(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", text, re.I):
            problems.append(f"{name}: javascript: URL")
        if re.search(r"<style\b", text, re.I):
            problems.append(f"{name}: <style> element (move it to static/css)")
    assert problems == []


def test_the_scan_recognises_what_the_policy_blocks():
    samples = ['<button onclick="go()">', '<input type="file"\n  onchange="x()">', "<form onsubmit='return 1'>"]
    assert all(INLINE_HANDLER.search(s) for s in samples)
    assert not INLINE_HANDLER.search('<button data-confirm="确认删除？">删除</button>')
    assert SCRIPT.findall("<script>alert(1)</script>")


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def production_env(tmp_path, **extra) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PLATFORM_PRODUCTION": "1",
        "PLATFORM_VAR_DIR": str(tmp_path),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PII_ENCRYPTION_KEY": _key(),
        "PII_HASH_KEY": _key(),
        "AUDIT_HMAC_KEY": _key(),
        "REGISTRY_SECRET": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "jy.example.edu.cn",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://jy.example.edu.cn",
        "PLATFORM_PUBLIC_BASE_URL": "https://jy.example.edu.cn",
        "NUM_PROXIES": "1",
    }
    env.update(extra)
    return env


def run_manage(tmp_path, *args, **extra):
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR, env=production_env(tmp_path, **extra), capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_catches_a_production_without_hsts(tmp_path):
    """The check above can fail: switching HSTS off is reported."""
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


PROBE = """
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="jy.example.edu.cn")
plain = c.get("/api/v1/openapi.json")
print("plain", plain.status_code, plain.get("Location", ""))
proxied = c.get("/api/v1/openapi.json", HTTP_X_FORWARDED_PROTO="https")
print("proxied", proxied.status_code, proxied.get("Strict-Transport-Security", ""))
print("cookies", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)
"""


def test_production_redirects_to_https_and_sends_hsts_behind_the_proxy(tmp_path):
    result = run_manage(tmp_path, "shell", "-c", PROBE)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("plain ", "proxied ", "cookies ")))
    assert lines["plain"] == "301 https://jy.example.edu.cn/api/v1/openapi.json"
    assert lines["proxied"] == "200 max-age=31536000; includeSubDomains; preload"
    assert lines["cookies"] == "True True"
