"""/api/v1/roster/: the same services behind JSON, scoped and role-checked."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.services import api_token_issue
from apps.graduates.models import Graduate
from apps.roster.models import ImportStatus
from tests import factories as f
from tests.roster.builders import id_number, person, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, world, django_capture_on_commit_callbacks):
    class Api:
        def __init__(self):
            self.headers = {}

        def as_user(self, user):
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}
            return self

        def get(self, path, **params):
            return client.get(f"/api/v1/roster{path}", params, **self.headers)

        def post(self, path, data=None, **kw):
            with django_capture_on_commit_callbacks(execute=True):
                return client.post(f"/api/v1/roster{path}", data or {}, **self.headers, **kw)

        def upload(self, content: bytes, *, cohort=None, mode="create"):
            return self.post("/imports", {"file": SimpleUploadedFile("生源.xlsx", content), "cohort": cohort or world.school.current_cohort,
                                          "mode": mode})

    return Api()


def test_upload_validate_and_commit_through_the_api(world, api):
    api.as_user(world.school_admin)
    response = api.upload(xlsx([person(1), person(2)]))
    assert response.status_code == 201, response.content
    assert response.json()["original_name"] == "生源.xlsx"
    body = api.get(f"/imports/{response.json()['id']}").json()  # validated in the background
    assert body["status"] == ImportStatus.VALID and body["status_label"] == "校验通过，待确认导入"
    assert (body["total_rows"], body["error_count"], body["cohort"], body["mode"]) == (2, 0, world.school.current_cohort, "create")

    listing = api.get("/imports").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == body["id"]
    assert api.get(f"/imports/{body['id']}").json()["status"] == "valid"

    committed = api.post(f"/imports/{body['id']}/commit")
    assert committed.status_code == 202
    assert committed.json()["status"] == "committing"
    done = api.get(f"/imports/{body['id']}").json()
    assert (done["status"], done["created_count"], done["status_label"]) == ("committed", 2, "已导入")
    assert Graduate.objects.filter(school=world.school, student_number__in=["2026000001", "2026000002"]).count() == 2


def test_issues_are_paginated(world, api):
    api.as_user(world.school_admin)
    rows = [person(n, 姓名=None) for n in range(1, 6)]
    import_id = api.upload(xlsx(rows)).json()["id"]
    first = api.get(f"/imports/{import_id}/issues", page=1, page_size=2).json()
    assert first["count"] == 5 and len(first["items"]) == 2
    assert first["items"][0] == {"row_number": 2, "column": "姓名", "message": "姓名不能为空", "severity": "error"}
    last = api.get(f"/imports/{import_id}/issues", page=3, page_size=2).json()
    assert [i["row_number"] for i in last["items"]] == [6]


def test_invalid_import_commit_is_refused_with_a_chinese_message(world, api):
    api.as_user(world.school_admin)
    import_id = api.upload(xlsx([person(1, 姓名=None)])).json()["id"]
    response = api.post(f"/imports/{import_id}/commit")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "只有校验通过的导入才能确认导入"


def test_text_file_is_refused_by_the_api(world, api):
    api.as_user(world.school_admin)
    response = api.upload(b"just text")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "文件不是有效的Excel（.xlsx）文件"


def test_another_schools_admin_gets_404_on_the_import_and_its_commit(world, api):
    import_id = api.as_user(world.school_admin).upload(xlsx([person(1)])).json()["id"]
    api.as_user(world.other_school_admin)
    assert api.get(f"/imports/{import_id}").status_code == 404
    assert api.get(f"/imports/{import_id}/issues").status_code == 404
    assert api.post(f"/imports/{import_id}/commit").status_code == 404
    assert api.get("/imports").json()["count"] == 0
    assert not Graduate.objects.filter(student_number="2026000001").exists()


@pytest.mark.parametrize("persona", ["college_admin", "graduate_user", "employer_user", "province_admin"])
def test_other_roles_get_403(world, api, persona):
    import_id = api.as_user(world.school_admin).upload(xlsx([person(1)])).json()["id"]
    api.as_user(getattr(world, persona))
    assert api.get("/imports").status_code == 403
    assert api.get(f"/imports/{import_id}").status_code == 403
    assert api.post(f"/imports/{import_id}/commit").status_code == 403
    assert api.upload(xlsx([person(2)])).status_code == 403
    assert api.get("/template").status_code == 403
    assert api.get("/duplicates").status_code == 403


def test_anonymous_gets_401(world, api):
    assert api.get("/imports").status_code == 401


def test_template_download(world, api):
    response = api.as_user(world.school_admin).get("/template")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.content[:4] == b"PK\x03\x04"
    assert "attachment" in response["Content-Disposition"]


def test_duplicates_endpoint_lists_groups_with_masked_id_numbers(world, api):
    twin_id = id_number(7)
    f.make_graduate(college=world.college, major=world.major, name="陈晨", student_number="2026100001",
                    id_number=twin_id, education_level_code="31")
    f.make_graduate(college=world.college, major=world.major, name="陈晨", student_number="2026100001",
                    id_number=twin_id, education_level_code="25")
    body = api.as_user(world.school_admin).get("/duplicates", cohort=world.school.current_cohort).json()
    assert body["cohort"] == world.school.current_cohort
    assert len(body["groups"]) == 1
    group = body["groups"][0]
    assert group["kind"] == "login"
    assert {m["education_level"] for m in group["members"]} == {"本科生毕业", "双学位毕业"}
    assert all(m["id_number_masked"] == twin_id[:4] + "*" * 10 + twin_id[-4:] for m in group["members"])
    assert twin_id not in str(body)
