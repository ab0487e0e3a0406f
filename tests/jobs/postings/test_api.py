"""职位发布与审核 API: the rules and refusals an employer or a reviewer meets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.jobs.models import ClosedReason, Posting, PostingPlace, PostingStatus
from apps.jobs.selectors import open_postings
from apps.jobs.services_postings import postings_expire
from apps.notifications.models import Notification
from tests import factories as f
from tests.jobs.postings.conftest import posting_data

pytestmark = pytest.mark.django_db


def create(api_client, user, **overrides):
    api_client.login_as(user)
    return api_client.post("/postings/mine", posting_data(**overrides))


def published(api_client, world, **overrides):
    r = create(api_client, world.employer_user, **overrides)
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert api_client.post(f"/postings/mine/{pk}/submit").status_code == 200
    api_client.login_as(world.province_admin)
    r = api_client.post(f"/postings/review/{pk}", {"approve": True})
    assert r.status_code == 200, r.json()
    api_client.login_as(world.employer_user)
    return pk


def test_employer_creates_submits_and_province_publishes(world, api_client):
    r = create(api_client, world.employer_user, place_codes=["340104", "340102"])
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "draft" and body["state"]["title"] == "草稿"
    assert {a["code"] for a in body["state"]["actions"]} == {"edit", "submit", "close"}
    assert {p["code"] for p in body["places"]} == {"340104", "340102"}
    posting = Posting.objects.get(pk=body["id"])
    assert posting.industry_code == world.employer.industry_code and "软件" in posting.search_title.split()
    assert set(PostingPlace.objects.filter(posting=posting).values_list("city_code", "province_code")) == {("3401", "34")}
    r = api_client.post(f"/postings/mine/{body['id']}/submit")
    assert r.json()["state"]["title"] == "待审核" and "省级" in r.json()["state"]["text"]
    api_client.login_as(world.province_admin)
    queue = api_client.get("/postings/review").json()
    assert [i["id"] for i in queue["items"]] == [body["id"]]
    assert queue["items"][0]["state"]["actions"][0]["code"] == "review"
    r = api_client.post(f"/postings/review/{body['id']}", {"approve": True})
    assert r.json()["status"] == "published"
    assert open_postings().filter(pk=body["id"]).exists()
    assert Notification.objects.filter(employer=world.employer, kind="posting.review").exists()


@pytest.mark.parametrize("status, message", [("pending", "尚未通过认证"), ("suspended", "已停用"),
                                             ("rejected", "尚未通过认证")])
def test_unverified_or_suspended_employer_cannot_post(world, api_client, status, message):
    world.employer.status = status
    world.employer.save()
    r = create(api_client, world.employer_user)
    assert r.status_code == 400 and message in r.json()["error"]["message"]
    assert not Posting.objects.exists()


def test_suspended_employer_cannot_submit_its_draft(world, api_client):
    pk = create(api_client, world.employer_user).json()["id"]
    world.employer.status = "suspended"
    world.employer.save()
    r = api_client.post(f"/postings/mine/{pk}/submit")
    assert r.status_code == 400 and "已停用" in r.json()["error"]["message"]
    assert Posting.objects.get(pk=pk).status == PostingStatus.DRAFT


def test_school_verified_employer_only_posts_in_its_school_channel(world, api_client):
    employer = f.make_employer("91340100MA2N0YYY02", "江淮示例公司", verifier_school=world.school)
    user = f.make_staff("employer", employer=employer, username="school-verified")
    r = create(api_client, user, channel=str(world.other_school.pk))
    assert r.status_code == 400 and "其他院校" in r.json()["error"]["fields"]["channel"]
    r = create(api_client, user, channel="province")
    assert r.status_code == 400 and "只能在该院校的渠道" in r.json()["error"]["fields"]["channel"]
    assert api_client.get("/postings/channels").json() == [
        {"value": str(world.school.pk), "label": f"{world.school.name}渠道（由该校审核）"}]
    r = create(api_client, user, channel=str(world.school.pk), major_ids=[world.major.pk])
    assert r.status_code == 201, r.json()
    assert r.json()["majors"] == [{"id": world.major.pk, "name": "软件工程"}]
    r = create(api_client, user, channel=str(world.school.pk), major_ids=[world.far_major.pk])
    assert r.status_code == 400 and r.json()["error"]["fields"]["major_ids"] == "所选专业不属于该院校"


def test_a_school_reviewing_another_schools_channel_sees_nothing(world, api_client):
    pk = create(api_client, world.employer_user, channel=str(world.school.pk)).json()["id"]
    api_client.post(f"/postings/mine/{pk}/submit")
    api_client.login_as(world.other_school_admin)
    assert api_client.post(f"/postings/review/{pk}", {"approve": True}).status_code == 404
    assert api_client.get(f"/postings/review/{pk}").status_code == 404
    assert api_client.get("/postings/review").json()["items"] == []
    api_client.login_as(world.province_admin)  # sees the school channel, but the school reviews it
    r = api_client.post(f"/postings/review/{pk}", {"approve": True})
    assert r.status_code == 403 and "由该院校审核" in r.json()["error"]["message"]
    api_client.login_as(world.school_admin)
    r = api_client.post(f"/postings/review/{pk}", {"approve": False})
    assert r.status_code == 400 and "原因" in r.json()["error"]["message"]
    r = api_client.post(f"/postings/review/{pk}", {"approve": False, "reason": "薪资描述不清"})
    assert r.json()["state"]["title"] == "已驳回" and "薪资描述不清" in r.json()["state"]["text"]
    api_client.login_as(world.employer_user)
    assert api_client.get(f"/postings/mine/{pk}").json()["review_reason"] == "薪资描述不清"


def test_another_employer_cannot_read_or_touch_my_posting(world, api_client):
    pk = create(api_client, world.employer_user).json()["id"]
    other = f.make_employer("91340100MA2N0ZZZ03", "另一家公司")
    api_client.login_as(f.make_staff("employer", employer=other, username="other-employer"))
    assert api_client.get(f"/postings/mine/{pk}").status_code == 404
    assert api_client.post(f"/postings/mine/{pk}/submit").status_code == 404
    assert api_client.get("/postings/mine").json()["items"] == []
    api_client.login_as(world.graduate_user)
    assert api_client.get("/postings/mine").status_code == 403


@pytest.mark.parametrize("overrides, field, message", [
    ({"deadline": "2020-01-01"}, "deadline", "截止日期不能早于今天"),
    ({"salary_min": 9000, "salary_max": 6000}, "salary_min", "月薪下限不能高于上限"),
    ({"title": "工" * 10_000}, "title", "职位名称不超过60字（现为10000字）"),
    ({"salary_max": 5_000_000}, "salary_max", "月薪上限不能超过1000000元"),
    ({"place_codes": ["3401"]}, "place_codes", "工作地点请选到区县一级"),
    ({"place_codes": ["340102", "340103", "340104", "340111", "340121", "340122"]}, "place_codes", "工作地点最多5个"),
    ({"category_code": "ZZ"}, "category_code", "职位类别不在代码表中，请从列表中选择"),
    ({"openings": 0}, "openings", "招聘人数应在1到9999之间"),
    ({"description": "字" * 5001}, "description", "职位描述不超过5000字（现为5001字）"),
    ({"contact_phone": "12"}, "contact_phone", "请输入正确的手机号码或固定电话"),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_stored(world, api_client, overrides, field, message):
    r = create(api_client, world.employer_user, **overrides)
    assert r.status_code == 400, r.json()
    assert r.json()["error"]["fields"][field] == message
    assert not Posting.objects.exists() and not PostingPlace.objects.exists()


def test_deadline_more_than_a_year_ahead_is_refused(world, api_client):
    far = (timezone.localdate() + timedelta(days=400)).isoformat()
    r = create(api_client, world.employer_user, deadline=far)
    assert r.status_code == 400 and "一年后" in r.json()["error"]["fields"]["deadline"]


def test_material_edit_of_a_published_posting_goes_back_to_review(world, api_client, patch_json):
    pk = published(api_client, world)
    r = patch_json(f"/postings/mine/{pk}", {"salary_max": 12000})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "pending" and r.json()["salary_max"] == 12000
    assert not open_postings().filter(pk=pk).exists()


def test_contact_edit_keeps_a_posting_published(world, api_client, patch_json):
    pk = published(api_client, world)
    r = patch_json(f"/postings/mine/{pk}", {"contact_name": "李主管", "contact_phone": "13912345678"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "published" and r.json()["contact_name"] == "李主管"
    assert open_postings().filter(pk=pk).exists()


def test_place_edit_replaces_the_place_rows(world, api_client, patch_json):
    pk = published(api_client, world)
    r = patch_json(f"/postings/mine/{pk}", {"place_codes": ["340102"]})
    assert r.json()["status"] == "pending"
    assert list(PostingPlace.objects.filter(posting_id=pk).values_list("county_code", flat=True)) == ["340102"]


def test_employer_closes_a_filled_posting(world, api_client):
    pk = published(api_client, world)
    r = api_client.post(f"/postings/mine/{pk}/close", {"reason": "bogus"})
    assert r.status_code == 400 and "下线原因" in r.json()["error"]["message"]
    r = api_client.post(f"/postings/mine/{pk}/close", {"reason": "filled"})
    assert r.json()["state"]["title"] == "已下线" and "已招满" in r.json()["state"]["text"]
    assert r.json()["state"]["actions"] == []
    assert not open_postings().filter(pk=pk).exists()


def test_staff_take_down_needs_a_reason_and_tells_the_employer(world, api_client):
    pk = published(api_client, world)
    api_client.login_as(world.province_admin)  # the province may take down any channel of its own
    r = api_client.post(f"/postings/review/{pk}/take-down", {"reason": ""})
    assert r.status_code == 400 and "下架原因" in r.json()["error"]["message"]
    r = api_client.post(f"/postings/review/{pk}/take-down", {"reason": "涉嫌收取培训费"})
    assert r.json()["closed_reason"] == ClosedReason.TAKEN_DOWN
    assert "涉嫌收取培训费" in r.json()["state"]["text"]
    assert Notification.objects.filter(employer=world.employer, title__contains="下架").exists()
    api_client.login_as(world.employer_user)
    assert "涉嫌收取培训费" in api_client.get(f"/postings/mine/{pk}").json()["state"]["text"]


def test_expiry_job_closes_postings_past_deadline_once(world, api_client):
    pk = published(api_client, world)
    Posting.objects.filter(pk=pk).update(deadline=timezone.localdate() - timedelta(days=1))
    keep = published(api_client, world, title="测试工程师")
    call_command("expire_postings", verbosity=0)
    posting = Posting.objects.get(pk=pk)
    assert (posting.status, posting.closed_reason) == (PostingStatus.CLOSED, ClosedReason.EXPIRED)
    assert Posting.objects.get(pk=keep).status == PostingStatus.PUBLISHED
    notes = Notification.objects.filter(employer=world.employer, title__contains="截止日期").count()
    assert notes == 1
    assert postings_expire() == 0  # the second run changes nothing
    assert Notification.objects.filter(employer=world.employer, title__contains="截止日期").count() == 1


def test_a_sub_account_acts_for_its_employer(world, api_client):
    pk = create(api_client, world.employer_user).json()["id"]
    sub = f.make_staff("employer", employer=world.employer, username="employer-sub")
    api_client.login_as(sub)
    assert api_client.get(f"/postings/mine/{pk}").status_code == 200
    assert api_client.post(f"/postings/mine/{pk}/submit").json()["status"] == "pending"


def test_a_closed_posting_is_not_edited(world, api_client, patch_json):
    pk = published(api_client, world)
    api_client.post(f"/postings/mine/{pk}/close", {"reason": "withdrawn"})
    r = patch_json(f"/postings/mine/{pk}", {"contact_name": "李主管"})
    assert r.status_code == 400 and r.json()["error"]["message"] == "已下线的职位不能修改"


def _count(api_client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        r = api_client.get(path)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who, path", [("employer_user", "/postings/mine"),
                                       ("province_admin", "/postings/review?status=all&channel=all")])
def test_api_lists_keep_a_constant_number_of_queries(world, api_client, who, path):
    api_client.login_as(world.employer_user)
    for i in range(2):
        r = create(api_client, world.employer_user, title=f"职位{i}")
        api_client.post(f"/postings/mine/{r.json()['id']}/submit")
    api_client.login_as(getattr(world, who))
    _count(api_client, path)  # warm the reference snapshot
    small = _count(api_client, path)
    api_client.login_as(world.employer_user)
    for i in range(12):
        r = create(api_client, world.employer_user, title=f"更多职位{i}", channel=str(world.school.pk))
        api_client.post(f"/postings/mine/{r.json()['id']}/submit")
    api_client.login_as(getattr(world, who))
    assert _count(api_client, path) == small
    assert len(api_client.get(path).json()["items"]) == 14
