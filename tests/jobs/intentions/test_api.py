"""/api/v1/intentions/: the graduate's own intention and matches; refusals in the error shape."""

from __future__ import annotations

import pytest

from apps.jobs.models import JobIntention

BODY = {"nature_codes": ["39"], "industry_codes": ["34"], "place_codes": ["3401", "overseas"],
        "category_codes": ["13"], "salary_band": "5k-8k", "notify": True}


def test_mine_before_saving_is_empty_with_the_state(world, api_client):
    api_client.login_as(world.graduate_user)
    r = api_client.get("/intentions/mine")
    assert r.status_code == 200
    body = r.json()
    assert body["category_codes"] == [] and body["notify"] is False and body["updated_at"] is None
    assert body["state"]["code"] == "empty" and body["state"]["title"] == "尚未填写求职意向"
    assert body["state"]["actions"] == [{"code": "edit", "label": "修改求职意向", "url": "/me/intentions/",
                                         "method": "get"}]
    assert {"code": "gat", "label": "港澳台"} in body["special_places"]


def test_save_then_read_with_labels(world, api_client):
    api_client.login_as(world.graduate_user)
    r = api_client.put("/intentions/mine", BODY)
    assert r.status_code == 200, r.json()
    body = api_client.get("/intentions/mine").json()
    assert body["place_codes"] == [{"code": "3401", "label": "安徽省合肥市"}, {"code": "overseas", "label": "海外"}]
    assert body["category_codes"] == [{"code": "13", "label": "工程技术人员"}]
    assert body["salary_band_label"] == "5000–8000元"
    assert body["state"]["code"] == "notify_on"
    assert "每天最多提醒一条" in body["state"]["text"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"industry_codes": ["11", "21", "22", "23", "24", "31"]}, "industry_codes", "行业最多选择5项（您选择了6项）"),
    ({"category_codes": ["999"]}, "category_codes", "职位类别中有不在代码表中的选项（999），请从列表中选择"),
    ({"salary_band": "lots"}, "salary_band", "期望月薪请从列表中选择"),
])
def test_refusals_in_the_error_shape(world, api_client, change, field, message):
    api_client.login_as(world.graduate_user)
    r = api_client.put("/intentions/mine", {**BODY, **change})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["message"] == message and error["fields"] == {field: message}
    assert not JobIntention.objects.exists()


def test_wrong_types_are_a_chinese_422(world, api_client):
    api_client.login_as(world.graduate_user)
    r = api_client.put("/intentions/mine", {**BODY, "notify": "sometimes", "industry_codes": "34"})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "请求参数不正确，请检查后重试"
    assert not JobIntention.objects.exists()


def test_matches_best_first_with_reasons_and_link(world, api_client, posting_factory):
    posting_factory(title="前端工程师", county="340104", salary=(6000, 7000))
    posting_factory(title="销售代表", category_code="40", county="340102", salary=(3000, 4000), industry_code="31",
                    nature_code="31")
    posting_factory(title="外校岗位", school=world.other_school)
    api_client.login_as(world.graduate_user).put("/intentions/mine", BODY)

    r = api_client.get("/intentions/mine/matches")

    assert r.status_code == 200
    rows = r.json()
    assert [row["title"] for row in rows] == ["前端工程师", "销售代表"]
    assert rows[0]["reasons"] == ["职位类别：工程技术人员", "地点：合肥市", "行业：信息传输、软件和信息技术服务业",
                                  "单位性质：其他企业", "薪资符合期望"]
    assert rows[1]["reasons"] == ["地点：合肥市"]
    assert rows[0]["employer"] == "合肥示例科技有限公司" and rows[0]["salary"] == "6000–7000元/月"
    assert rows[0]["url"] == f"/services/jobs/{rows[0]['id']}/"
    assert len(api_client.get("/intentions/mine/matches", limit=1).json()) == 1
    assert api_client.get("/intentions/mine/matches", limit=500).status_code == 422


def test_matches_without_an_intention_is_empty(world, api_client, posting_factory):
    posting_factory()
    assert api_client.login_as(world.graduate_user).get("/intentions/mine/matches").json() == []


def test_each_graduate_reads_only_their_own(world, api_client):
    api_client.login_as(world.graduate_user).put("/intentions/mine", BODY)
    body = api_client.login_as(world.stranger_user).get("/intentions/mine").json()
    assert body["category_codes"] == [] and body["state"]["code"] == "empty"


@pytest.mark.parametrize("who", ["employer_user", "school_admin", "province_admin"])
def test_staff_and_employers_are_refused(world, api_client, who):
    api_client.login_as(getattr(world, who))
    assert api_client.get("/intentions/mine").status_code == 403
    assert api_client.get("/intentions/mine/matches").status_code == 403
    assert api_client.put("/intentions/mine", BODY).status_code == 403
    assert not JobIntention.objects.exists()


def test_anonymous_is_401(db, api_client):
    assert api_client.get("/intentions/mine").status_code == 401
