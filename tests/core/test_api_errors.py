"""Every API error answers in the one documented shape {"error": {"code", "message", "fields"}}
with a Chinese message: absurd query parameters (422), wrong roles (403), wrong methods (405),
unknown paths (404) and unhandled exceptions (500)."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client, override_settings

from apps.accounts.services import api_token_issue

pytestmark = pytest.mark.django_db

HUGE = "10000000000000000000000000"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# (path, persona allowed to read the list)
LISTS = [
    ("/graduates/", "school_admin"),
    ("/graduates/me/history", "graduate_user"),
    ("/roster/imports", "school_admin"),
    ("/notices/", "graduate_user"),
    ("/archives/", "school_admin"),
    ("/corrections/mine", "graduate_user"),
    ("/corrections/", "college_admin"),
    ("/destinations/", "college_admin"),
    ("/agreements/", "school_admin"),
    ("/agreements/terminations", "college_admin"),
    ("/notifications/", "graduate_user"),
]


@pytest.fixture
def client_500(client):
    client.raise_request_exception = False
    return client


def _get(client, user, path, **params):
    return client.get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user)}")


def assert_error_shape(response, status, code=None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert CHINESE.search(body["error"]["message"]), body
    assert all(CHINESE.search(m) for m in body["error"]["fields"].values()), body
    if code:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.mark.parametrize(("path", "persona"), LISTS)
def test_a_huge_page_number_is_a_422_in_the_error_shape(world, client_500, path, persona):
    user = getattr(world, persona)
    assert _get(client_500, user, path).status_code == 200  # the persona may read the list

    error = assert_error_shape(_get(client_500, user, path, page=HUGE), 422, "validation")
    assert set(error["fields"]) == {"page"}
    assert error["fields"]["page"] == "应不大于100000"

    error = assert_error_shape(_get(client_500, user, path, page=1, page_size=HUGE), 422, "validation")
    assert set(error["fields"]) == {"page_size"}


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 0}, {"page_size": 101}, {"page": -1}])
def test_page_numbers_out_of_range_are_refused_not_clamped(world, client_500, params):
    assert_error_shape(_get(client_500, world.school_admin, "/graduates/", **params), 422, "validation")


@pytest.mark.parametrize(("path", "param"), [
    ("/graduates/", "college_id"), ("/graduates/", "major_id"), ("/graduates/", "cohort"),
    ("/archives/", "college_id"), ("/archives/", "cohort"), ("/corrections/", "college_id"),
    ("/destinations/", "college_id"), ("/destinations/", "major_id"), ("/agreements/", "college_id"),
    ("/agreements/terminations", "college_id"), ("/roster/duplicates", "cohort"),
])
def test_huge_filter_ids_are_a_422(world, client_500, path, param):
    error = assert_error_shape(_get(client_500, world.school_admin, path, **{param: HUGE}), 422, "validation")
    assert set(error["fields"]) == {param}


def test_the_last_allowed_page_is_an_empty_page(world, client_500):
    response = _get(client_500, world.school_admin, "/graduates/", page=100000, page_size=100)
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["count"] == 2  # the school's two graduates


def test_staff_token_on_the_graduates_own_history_is_forbidden(world, client_500):
    assert_error_shape(_get(client_500, world.school_admin, "/graduates/me/history"), 403, "forbidden")
    assert_error_shape(_get(client_500, world.employer_user, "/graduates/me/history"), 403, "forbidden")
    assert _get(client_500, world.graduate_user, "/graduates/me/history").status_code == 200


def test_an_unhandled_exception_is_a_chinese_500_in_the_error_shape(world, client_500, monkeypatch, caplog):
    import apps.graduates.api

    def explode(graduate):
        raise RuntimeError(f"boom for {graduate.id_number}")

    monkeypatch.setattr(apps.graduates.api, "graduate_own_profile", explode)
    with caplog.at_level(logging.ERROR):
        response = _get(client_500, world.graduate_user, "/graduates/me")

    error = assert_error_shape(response, 500, "server_error")
    assert "boom" not in response.content.decode() and world.graduate.id_number not in response.content.decode()
    # the traceback is logged for the operators, with the ID number masked on its way out
    records = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert records, "the exception was not logged"
    console = next(h for h in logging.getLogger("django").handlers if h.filters)
    written = "\n".join(console.format(r) for r in records if console.filter(r))
    assert "RuntimeError" in written and world.graduate.id_number not in written
    assert error["message"] == "服务器内部错误，请稍后重试"


@override_settings(DEBUG=True)
def test_an_unhandled_exception_in_debug_mode_is_no_traceback_either(world, client_500, monkeypatch):
    import apps.graduates.api

    monkeypatch.setattr(apps.graduates.api, "graduate_own_profile", lambda g: 1 / 0)
    response = _get(client_500, world.graduate_user, "/graduates/me")
    assert_error_shape(response, 500, "server_error")
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_wrong_method_is_a_405_in_the_error_shape(world, client_500, debug):
    with override_settings(DEBUG=debug):
        response = client_500.delete("/api/v1/graduates/me",
                                     HTTP_AUTHORIZATION=f"Bearer {api_token_issue(world.graduate_user)}")
    error = assert_error_shape(response, 405, "method_not_allowed")
    assert error["message"] == "不支持该请求方式"
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_is_a_404_in_the_error_shape(world, client_500, debug):
    with override_settings(DEBUG=debug):
        response = _get(client_500, world.school_admin, "/no-such-thing/")
    assert_error_shape(response, 404, "not_found")
    assert "urlpatterns" not in response.content.decode().lower()


def test_unparseable_json_is_a_chinese_400(world, client_500):
    response = client_500.post("/api/v1/notices/", "{not json", content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {api_token_issue(world.school_admin)}")
    assert_error_shape(response, 400)


def test_a_session_post_without_csrf_token_is_a_chinese_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.graduate_user)
    response = client.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert_error_shape(response, 403)


@pytest.mark.parametrize(("path", "persona", "body"), [
    ("/destinations/batch-approve", "school_admin", {"ids": [int(HUGE)]}),
    ("/notifications/read", "graduate_user", {"ids": [int(HUGE)]}),
    ("/archives/export", "school_admin", {"ids": [int(HUGE)]}),
    ("/archives/export", "school_admin", {"college_id": int(HUGE)}),
    ("/archives/tracking", "school_admin", [{"transfer_id": int(HUGE), "tracking_number": "EA123456789CN"}]),
])
def test_huge_ids_in_a_request_body_are_a_422(world, client_500, path, persona, body):
    """An id list reaches a pk__in lookup, which overflowed the database (a 500)."""
    response = client_500.post(f"/api/v1{path}", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {api_token_issue(getattr(world, persona))}")
    assert_error_shape(response, 422, "validation")


@pytest.mark.parametrize("path", ["/corrections/{huge}/images/1", "/corrections/{huge}", "/graduates/{huge}",
                                  "/notices/{huge}"])
def test_an_id_too_large_for_the_database_is_not_found(world, client_500, path):
    """SQLite refuses to bind such an id (OverflowError); no record can have it, so: not found."""
    user = world.graduate_user if path.startswith("/notices") else world.school_admin
    response = _get(client_500, user, path.format(huge=HUGE))
    assert_error_shape(response, 404, "not_found")


def test_a_page_with_an_id_too_large_for_the_database_is_the_chinese_404(world, client_500):
    client_500.force_login(world.school_admin)
    response = client_500.get(f"/staff/graduates/{HUGE}/")
    assert response.status_code == 404
    assert "不存在" in response.content.decode()


@pytest.mark.parametrize("path", ["/notices/", "/notices/1"])
def test_employers_have_no_notices_to_read(world, client_500, path):
    """Notices are a school's messages to its graduates and staff: an employer is refused, like on the pages."""
    response = _get(client_500, world.employer_user, path)
    assert_error_shape(response, 403)
