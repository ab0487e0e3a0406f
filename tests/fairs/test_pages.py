"""The fair pages: what each role reads and may do, refusals shown on the form (400, nothing
changed), and lists whose statement count does not grow with their rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.fairs import services
from apps.fairs.models import BoothStatus, FairBooth, JobFair
from tests.fairs.conftest import apply, make_employer_user, publish

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    client.get(url)  # warm the per-process caches (reference snapshot, policy)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _fill(w, fair, n: int) -> None:
    for i in range(n):
        emp = make_employer_user(w, f"填充单位{fair.pk}-{i}有限公司")
        booth = apply(emp, fair)
        services.booth_decide(actor=w.school_admin, booth=booth, action="approve")


def test_staff_publish_form_shows_refusals_in_chinese(fairs_world, client):
    client.force_login(fairs_world.school_admin)
    r = client.post(reverse("staff-fair-new"), {"title": "", "booth_count": "0", "venue": "体育馆"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "请填写招聘会名称" in body and "展位数应为1–500之间的整数" in body
    assert not JobFair.objects.exists()


def test_province_staff_read_but_do_not_manage(fairs_world, client):
    w = fairs_world
    fair = publish(w)
    booth = apply(w.emp_a, fair)
    client.force_login(w.province_admin)
    body = client.get(reverse("staff-fair", args=[fair.pk])).content.decode()
    assert "甲公司有限公司" in body and "data-action=\"approve\"" not in body and "fair-cancel-form" not in body
    assert "13900001111" not in body  # contacts are for the school that organises
    assert "fair-new-link" not in client.get(reverse("staff-fairs")).content.decode()
    r = client.post(reverse("staff-fair-booth-decide", args=[fair.pk, booth.pk]), {"action": "approve"})
    assert r.status_code == 403
    assert FairBooth.objects.get(pk=booth.pk).status == BoothStatus.PENDING


def test_staff_decide_refusal_is_shown_and_changes_nothing(fairs_world, client):
    w = fairs_world
    fair = publish(w)
    booth = apply(w.emp_a, fair)
    client.force_login(w.school_admin)
    r = client.post(reverse("staff-fair-booth-decide", args=[fair.pk, booth.pk]), {"action": "reject", "reason": ""})
    assert r.status_code == 400 and "请填写原因" in r.content.decode()
    assert FairBooth.objects.get(pk=booth.pk).status == BoothStatus.PENDING


def test_employer_sees_the_form_then_its_state_and_another_schools_employer_is_told_why(fairs_world, client):
    w = fairs_world
    fair = publish(w)
    client.force_login(w.emp_a.user)
    body = client.get(reverse("employer-fair", args=[fair.pk])).content.decode()
    assert "booth-form" in body and w.emp_a.posting.title in body and w.emp_b.posting.title not in body
    r = client.post(reverse("employer-fair", args=[fair.pk]), {"contact_name": "王经理", "contact_phone": "139"})
    assert r.status_code == 400 and "请至少选择一个携带的职位" in r.content.decode()
    r = client.post(reverse("employer-fair", args=[fair.pk]), {"postings": [w.emp_a.posting.pk],
                                                              "contact_name": "王经理", "contact_phone": "13900001111"})
    assert r.status_code == 302
    body = client.get(reverse("employer-fair", args=[fair.pk])).content.decode()
    assert "待审核" in body and "booth-form" not in body and "撤回申请" in body
    school_verified = make_employer_user(w, "本校认证单位", verifier_school=w.school)
    other_verified = make_employer_user(w, "外校认证单位", verifier_school=w.other_school)
    client.force_login(school_verified.user)
    assert fair.title in client.get(reverse("employer-fairs")).content.decode()
    client.force_login(other_verified.user)
    assert fair.title not in client.get(reverse("employer-fairs")).content.decode()
    assert client.get(reverse("employer-fair", args=[fair.pk])).status_code == 404


def test_graduate_list_hides_ended_fairs_and_other_schools(fairs_world, client):
    w = fairs_world
    upcoming = publish(w)
    ended = publish(w, title="已经结束的招聘会")
    JobFair.objects.filter(pk=ended.pk).update(starts_at=timezone.now() - timedelta(days=2),
                                               ends_at=timezone.now() - timedelta(days=1))
    client.force_login(w.graduate_user)
    body = client.get(reverse("fairs")).content.decode()
    assert upcoming.title in body and "已经结束的招聘会" not in body
    assert "已结束" in client.get(reverse("fair", args=[ended.pk])).content.decode()
    assert "fair-interest" not in client.get(reverse("fair", args=[ended.pk])).content.decode()
    client.force_login(w.stranger_user)
    assert upcoming.title not in client.get(reverse("fairs")).content.decode()
    assert client.get(reverse("fair", args=[upcoming.pk])).status_code == 404


def test_lists_keep_their_statement_count(fairs_world, client):
    w = fairs_world
    small, large = publish(w, booth_count=50, title="小"), publish(w, booth_count=50, title="大")
    _fill(w, small, 2)
    _fill(w, large, 12)
    client.force_login(w.school_admin)
    assert _count(client, reverse("staff-fair", args=[small.pk]) + "?status=approved") == \
        _count(client, reverse("staff-fair", args=[large.pk]) + "?status=approved")
    client.force_login(w.graduate_user)
    assert _count(client, reverse("fair", args=[small.pk])) == _count(client, reverse("fair", args=[large.pk]))
    few = _count(client, reverse("fairs"))
    for n in range(8):
        publish(w, title=f"更多招聘会{n}")
    assert _count(client, reverse("fairs")) == few
    client.force_login(w.school_admin)
    few = _count(client, reverse("staff-fairs"))
    for n in range(8):
        publish(w, title=f"再多招聘会{n}")
    assert _count(client, reverse("staff-fairs")) == few
    client.force_login(w.emp_a.user)
    few = _count(client, reverse("employer-fairs"))
    for n in range(5):
        apply(w.emp_a, JobFair.objects.get(title=f"再多招聘会{n}"))
    assert _count(client, reverse("employer-fairs")) == few


def _badge(body: str, element_id: str) -> str:
    import re

    found = re.search(rf'id="{element_id}">([^<]*)<', body)
    return found.group(1) if found else ""


def test_graduate_reads_the_fairs_own_state_not_the_booth_application(fairs_world, client):
    w = fairs_world
    fair = publish(w, booth_count=1)
    _fill(w, fair, 1)
    client.force_login(w.school_admin)
    assert "新的申请将进入候补" in client.get(reverse("staff-fair", args=[fair.pk])).content.decode()
    client.force_login(w.graduate_user)
    for body in (client.get(reverse("fairs")).content.decode(),
                 client.get(reverse("fair", args=[fair.pk])).content.decode()):
        assert "即将开始" in body
        for employer_fact in ("报名中", "报名已截止", "展位已满", "候补", "单位报名"):
            assert employer_fact not in body
    # after the employers' deadline a graduate may still register: no "报名已截止" for them
    JobFair.objects.filter(pk=fair.pk).update(apply_deadline=timezone.now() - timedelta(minutes=5))
    body = client.get(reverse("fair", args=[fair.pk])).content.decode()
    assert _badge(body, "fair-state-title") == "即将开始" and "报名已截止" not in body
    assert 'id="fair-interest"' in body and "我要参加" in body
    client.post(reverse("fair-interest", args=[fair.pk]), {"interested": "1"})
    JobFair.objects.filter(pk=fair.pk).update(starts_at=timezone.now() + timedelta(minutes=20),
                                               ends_at=timezone.now() + timedelta(hours=3))
    body = client.get(reverse("fair", args=[fair.pk])).content.decode()
    assert _badge(body, "fair-state-title") == "签到进行中" and 'id="fair-registered"' in body
    assert "取消报名" in body
    listed = client.get(reverse("fairs")).content.decode()
    assert "签到进行中" in listed and "已报名" in listed
    JobFair.objects.filter(pk=fair.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    assert _badge(client.get(reverse("fair", args=[fair.pk])).content.decode(), "fair-state-title") == "进行中"
    # staff and employers keep the booth application's wording
    client.force_login(w.school_admin)
    assert _badge(client.get(reverse("staff-fair", args=[fair.pk])).content.decode(), "fair-state-title") == "进行中"


def test_staff_keep_the_deadline_wording(fairs_world, client):
    w = fairs_world
    fair = publish(w)
    JobFair.objects.filter(pk=fair.pk).update(apply_deadline=timezone.now() - timedelta(minutes=5))
    client.force_login(w.school_admin)
    assert _badge(client.get(reverse("staff-fair", args=[fair.pk])).content.decode(), "fair-state-title") == "报名已截止"
    client.force_login(w.emp_a.user)
    assert "报名已截止" in client.get(reverse("employer-fair", args=[fair.pk])).content.decode()


def test_cancelled_fair_tells_the_graduate_why_and_promises_no_checkin(fairs_world, client):
    w = fairs_world
    fair = publish(w)
    client.force_login(w.graduate_user)
    client.post(reverse("fair-interest", args=[fair.pk]), {"interested": "1"})
    services.fair_cancel(actor=w.school_admin, fair=JobFair.objects.get(pk=fair.pk), reason="场地维修")
    body = client.get(reverse("fair", args=[fair.pk])).content.decode()
    assert _badge(body, "fair-state-title") == "已取消" and "场地维修" in body
    for promise in ('id="fair-checkin"', "现场签到", "签到尚未开始", "参会单位确定后将在这里公布", 'id="fair-interest"'):
        assert promise not in body
    api = client.get(f"/api/v1/fairs/{fair.pk}").json()["fair"]["state"]
    assert api["code"] == "cancelled" and "场地维修" in api["text"] and api["actions"] == []


def test_checked_in_graduate_is_not_asked_to_register_or_cancel(fairs_world, client):
    from apps.fairs.models import FairCheckIn, FairInterest

    w = fairs_world
    fair = publish(w)
    JobFair.objects.filter(pk=fair.pk).update(starts_at=timezone.now() + timedelta(minutes=10),
                                               ends_at=timezone.now() + timedelta(hours=3))
    client.force_login(w.graduate_user)
    client.post(reverse("fair-interest", args=[fair.pk]), {"interested": "1"})
    FairCheckIn.objects.create(fair=fair, graduate=w.graduate, method="staff_card")
    body = client.get(reverse("fair", args=[fair.pk])).content.decode()
    assert 'id="fair-checked-in"' in body and 'id="fair-interest"' not in body
    assert "取消报名" not in body and "我要参加" not in body
    assert "已签到" in client.get(reverse("fairs")).content.decode()
    body = client.post(reverse("fair-interest", args=[fair.pk]), {"interested": "0"}, follow=True).content.decode()
    assert "你已在现场签到，报名状态不再更改" in body
    assert FairInterest.objects.filter(fair=fair, graduate=w.graduate).exists()
    api = client.get(f"/api/v1/fairs/{fair.pk}").json()["fair"]["state"]
    assert "你已签到" in api["text"] and api["actions"] == []


def test_staff_approve_button_says_the_booth_goes_to_the_waiting_list_when_full(fairs_world, client):
    w = fairs_world
    fair = publish(w, booth_count=1)
    first, second = apply(w.emp_a, fair), apply(w.emp_b, fair)
    client.force_login(w.school_admin)
    body = client.get(reverse("staff-fair", args=[fair.pk])).content.decode()
    assert '>通过</button>' in body and "通过（进入候补）" not in body
    r = client.post(reverse("staff-fair-booth-decide", args=[fair.pk, first.pk]), {"action": "approve"})
    assert r.status_code == 302
    body = client.get(reverse("staff-fair", args=[fair.pk])).content.decode()
    assert "通过（进入候补）" in body
    api = client.get(f"/api/v1/fairs/staff/{fair.pk}/booths").json()["items"][0]["state"]
    assert api["actions"][0]["label"] == "通过（进入候补）" and "通过后进入候补名单" in api["text"]
    flash = client.post(reverse("staff-fair-booth-decide", args=[fair.pk, second.pk]), {"action": "approve"},
                        follow=True).content.decode()
    assert "乙公司有限公司：候补中（第1位）" in flash

