"""The site's error pages are Chinese in every mode (DEBUG on or off): no English technical page
listing URL patterns or local variables, no blank 405."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

MODES = [pytest.param(False, id="debug-off"), pytest.param(True, id="debug-on")]
ENGLISH_TECHNICAL = ("urlpatterns", "Using the URLconf", "Traceback", "Request Method", "Django", "Not Found",
                     "Method Not Allowed", "Bad Request", "Server Error", "settings.py")


@pytest.fixture
def site():
    client = Client()
    client.raise_request_exception = False
    return client


def assert_chinese_page(response, status, title):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert f"<h1>{title}</h1>" in html, html[:500]
    assert 'href="/"' in html  # a way back
    for english in ENGLISH_TECHNICAL:
        assert english not in html, english
    return html


@pytest.mark.parametrize("debug", MODES)
def test_unknown_page_is_a_chinese_404(site, debug):
    with override_settings(DEBUG=debug):
        response = site.get("/no/such/page/")
    assert_chinese_page(response, 404, "页面不存在")


@pytest.mark.parametrize("debug", MODES)
def test_a_view_raising_http404_is_the_chinese_404(site, debug):
    with override_settings(DEBUG=debug):
        response = site.get("/print/999999/pdf")  # no such print session
    assert_chinese_page(response, 404, "页面不存在")


@pytest.mark.parametrize("debug", MODES)
def test_wrong_method_is_a_chinese_405_not_a_blank_page(site, debug):
    with override_settings(DEBUG=debug):
        response = site.get("/staff/logout/")  # POST only
    assert_chinese_page(response, 405, "请求方式不支持")
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("debug", MODES)
def test_a_disallowed_host_is_a_chinese_400(site, debug):
    with override_settings(DEBUG=debug):
        response = site.get("/login/", HTTP_HOST="evil.example")
    assert_chinese_page(response, 400, "请求无效")


@pytest.mark.parametrize("debug", MODES)
def test_a_suspicious_request_in_a_view_is_a_chinese_400(site, world, monkeypatch, debug):
    import apps.core.views

    def refuse(*args, **kwargs):
        raise SuspiciousOperation("tampered")

    monkeypatch.setattr(apps.core.views, "visible_to", refuse)
    site.force_login(world.school_admin)
    with override_settings(DEBUG=debug):
        response = site.get("/staff/")
    assert "tampered" not in assert_chinese_page(response, 400, "请求无效")


@pytest.mark.parametrize("debug", MODES)
def test_permission_denied_is_a_chinese_403(site, world, monkeypatch, debug):
    import apps.core.views

    def refuse(*args, **kwargs):
        raise PermissionDenied

    monkeypatch.setattr(apps.core.views, "visible_to", refuse)
    site.force_login(world.school_admin)
    with override_settings(DEBUG=debug):
        response = site.get("/staff/")
    assert_chinese_page(response, 403, "无权访问")


@pytest.mark.parametrize("debug", MODES)
def test_a_form_posted_without_csrf_token_is_a_chinese_403(debug):
    client = Client(enforce_csrf_checks=True)
    with override_settings(DEBUG=debug):
        response = client.post("/staff/login/", {"username": "x", "password": "y"})
    html = assert_chinese_page(response, 403, "无权访问")
    assert "页面已过期" in html


@pytest.mark.parametrize("debug", MODES)
def test_an_unhandled_exception_is_a_chinese_500_and_logged(site, world, monkeypatch, caplog, debug):
    import apps.core.views

    def explode(*args, **kwargs):
        raise RuntimeError(f"boom {world.graduate.id_number}")

    monkeypatch.setattr(apps.core.views, "visible_to", explode)
    site.force_login(world.school_admin)
    with override_settings(DEBUG=debug), caplog.at_level(logging.ERROR):
        response = site.get("/staff/")
    html = assert_chinese_page(response, 500, "系统出现错误")
    assert "boom" not in html and world.graduate.id_number not in html
    records = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert len(records) == 1  # logged once, with the traceback
    console = next(h for h in logging.getLogger("django").handlers if h.filters)
    assert console.filter(records[0]) and world.graduate.id_number not in console.format(records[0])


def test_a_form_re_shown_with_status_400_is_left_alone(site, reference):
    """Views that answer 400 with their own page (a form with its errors) keep it."""
    response = site.post("/login/", {"school": "", "name": "", "student_number": "", "id_number": ""})
    assert response.status_code in (200, 400)
    assert "请求无效" not in response.content.decode()


def test_the_domain_error_page_keeps_its_own_message(site, world):
    """A DomainError (here role_required's Forbidden) still shows its specific message."""
    site.force_login(world.graduate_user)
    response = site.get("/staff/")
    assert response.status_code == 403
    assert "无权执行此操作" in response.content.decode()


@pytest.mark.parametrize("path", ["/staff/graduates/", "/staff/archives/", "/staff/corrections/", "/staff/destinations/",
                                  "/staff/agreements/", "/staff/terminations/"])
def test_staff_lists_ignore_filter_numbers_too_large_for_the_database(site, world, path):
    """college=10**25 overflowed the query (a 500); such a value means "no filter"."""
    huge = "10000000000000000000000000"
    site.force_login(world.school_admin)
    response = site.get(path, {"college": huge, "college_id": huge, "major": huge, "page": huge})
    assert response.status_code == 200
