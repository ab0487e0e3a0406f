"""/api/v1/staff-accounts/: the same rules as the pages, in the API's one error shape."""

from __future__ import annotations

import pytest

from apps.accounts.models import ApiToken, User
from apps.accounts.services import api_token_issue
from apps.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_school_admin_lists_creates_disables_enables_and_resets(world, api_client):
    api_client.login_as(world.school_admin)
    listed = api_client.get("/staff-accounts/").json()
    assert {a["username"] for a in listed["items"]} == {"college-a1", "college-a2"}
    assert listed["count"] == 2 and listed["has_next"] is False
    only = api_client.get("/staff-accounts/", organisation_id=world.other_college.pk).json()
    assert [a["username"] for a in only["items"]] == ["college-a2"]

    response = api_client.post("/staff-accounts/", {"username": "api-made", "display_name": "接口新建",
                                                   "college_id": world.college.pk})
    assert response.status_code == 201
    body = response.json()
    account = User.objects.get(username="api-made")
    assert account.check_password(body["password"]) and body["account"]["must_change_password"] is True
    assert body["account"]["state"]["title"] == "待修改初始密码"

    target_token = api_token_issue(account)
    response = api_client.post(f"/staff-accounts/{account.pk}/disable", {"reason": "离职"})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert not ApiToken.objects.filter(user=account).exists()
    assert api_client.get("/auth/me").status_code == 200  # the manager's own token still works
    from django.test import Client

    assert Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {target_token}").status_code == 401

    assert api_client.post(f"/staff-accounts/{account.pk}/enable").json()["is_active"] is True
    reset = api_client.post(f"/staff-accounts/{account.pk}/reset-password").json()
    account.refresh_from_db()
    assert account.check_password(reset["password"])
    for entry in AuditEntry.objects.filter(target_id=str(account.pk)):
        assert reset["password"] not in str(entry.changes) + entry.summary
        assert body["password"] not in str(entry.changes) + entry.summary


def test_refusals_in_chinese(world, api_client):
    api_client.login_as(world.school_admin)
    response = api_client.post("/staff-accounts/", {"username": "college-a1", "display_name": "重名",
                                                   "college_id": world.college.pk})
    assert response.status_code == 400 and response.json()["error"]["message"] == "该用户名已被使用，请换一个"
    response = api_client.post("/staff-accounts/", {"username": "far", "display_name": "外校",
                                                   "college_id": world.far_college.pk})
    assert response.status_code == 400 and response.json()["error"]["fields"]["college_id"] == "所选院系不属于本校"
    response = api_client.post(f"/staff-accounts/{world.school_admin.pk}/disable", {"reason": "测试"})
    assert response.status_code == 400 and "不能停用自己的账号" in response.json()["error"]["message"]
    # outside the scope: 404, nothing changes
    assert api_client.get(f"/staff-accounts/{world.other_school_admin.pk}").status_code == 404
    assert api_client.post(f"/staff-accounts/{world.other_school_admin.pk}/reset-password").status_code == 404
    from tests.factories import PASSWORD

    assert User.objects.get(pk=world.other_school_admin.pk).check_password(PASSWORD)


def test_college_admin_and_other_schools(world, api_client):
    api_client.login_as(world.college_admin)
    assert api_client.get("/staff-accounts/").status_code == 403
    assert api_client.post(f"/staff-accounts/{world.other_college_admin.pk}/disable",
                           {"reason": "离职"}).status_code == 403
    api_client.login_as(world.other_school_admin)
    assert api_client.get(f"/staff-accounts/{world.college_admin.pk}").status_code == 404
    assert api_client.post(f"/staff-accounts/{world.college_admin.pk}/disable", {"reason": "离职"}).status_code == 404
    assert User.objects.get(pk=world.college_admin.pk).is_active


def test_province_admin_manages_school_accounts(world, api_client):
    api_client.login_as(world.province_admin)
    listed = api_client.get("/staff-accounts/").json()
    assert {a["username"] for a in listed["items"]} == {"school-a", "school-b"}
    response = api_client.post("/staff-accounts/", {"username": "api-school", "display_name": "学校新管理员",
                                                   "school_id": world.school.pk})
    assert response.status_code == 201 and response.json()["account"]["role"] == "school_staff"
    assert api_client.get(f"/staff-accounts/{world.college_admin.pk}").status_code == 404
