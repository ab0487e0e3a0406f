from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.notices.models import Notice


def create(api_client, **data):
    payload = {"kind": "notice", "title": "关于生源核对的通知", "body": "请核对生源所在地。", "is_published": True}
    payload.update(data)
    return api_client.post("/notices/", payload)


def test_school_admin_publishes_and_the_graduate_sees_it_on_home(world, api_client, client):
    api_client.login_as(world.school_admin)
    response = create(api_client)
    assert response.status_code == 201
    create(api_client, kind="news", title="秋季双选会圆满举办")
    create(api_client, title="未发布的草稿", is_published=False)
    client.force_login(world.graduate_user)
    home = client.get("/home/").content.decode()
    assert "关于生源核对的通知" in home and "秋季双选会圆满举办" in home
    assert "未发布的草稿" not in home
    assert AuditEntry.objects.filter(action="notice.create").count() == 3


def test_another_schools_graduate_does_not_see_it(world, api_client, client):
    api_client.login_as(world.school_admin)
    notice_id = create(api_client).json()["id"]
    client.force_login(world.stranger_user)
    assert "关于生源核对的通知" not in client.get("/home/").content.decode()
    assert client.get(f"/notices/{notice_id}/").status_code == 404


def test_edit_and_delete(world, api_client):
    api_client.login_as(world.school_admin)
    notice_id = create(api_client).json()["id"]
    r = api_client.put(f"/notices/{notice_id}", {"kind": "notice", "title": "新标题", "body": "正文", "is_published": True})
    assert r.status_code == 200 and r.json()["title"] == "新标题"
    assert api_client.delete(f"/notices/{notice_id}").status_code == 204
    assert not Notice.objects.exists()


@pytest.mark.parametrize("persona", ["college_admin", "graduate_user", "province_admin", "employer_user"])
def test_only_school_admins_publish(world, api_client, persona):
    api_client.login_as(getattr(world, persona))
    assert create(api_client).status_code == 403
    assert not Notice.objects.exists()


def test_other_school_admin_cannot_edit(world, api_client):
    api_client.login_as(world.school_admin)
    notice_id = create(api_client).json()["id"]
    api_client.login_as(world.other_school_admin)
    r = api_client.put(f"/notices/{notice_id}", {"kind": "notice", "title": "篡改", "body": "x", "is_published": True})
    assert r.status_code == 404
    assert Notice.objects.get().title == "关于生源核对的通知"


def test_empty_title_is_refused_with_field_messages(world, api_client):
    api_client.login_as(world.school_admin)
    r = create(api_client, title="  ", kind="bogus")
    assert r.status_code == 400
    assert r.json()["error"]["fields"] == {"kind": "请选择类别", "title": "请填写标题"}


def test_staff_page_publishes(world, client):
    client.force_login(world.school_admin)
    r = client.post("/staff/notices/new/", {"kind": "news", "title": "就业动态一则", "body": "内容", "is_published": "on"})
    assert r.status_code == 302
    assert "就业动态一则" in client.get("/staff/notices/").content.decode()
