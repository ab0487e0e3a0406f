"""签到 API: the same rules as the pages, in the API's error shape, with the `state` object."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.fairs import checkin
from apps.fairs.models import Audience, FairCheckIn
from apps.resumes.models import Resume
from tests import factories as f
from tests.checkin.helpers import card_for, make_booth, make_fair

pytestmark = pytest.mark.django_db


def code_now(event):
    return checkin.rotating_code(event.checkin_secret, at=timezone.now())


def test_graduate_scans_then_scans_again(world, api_client):
    fair = make_fair(world.school)
    api = api_client.login_as(world.graduate_user)
    first = api.post(f"/checkin/fairs/{fair.pk}/scan", {"code": code_now(fair)})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["created"] and body["checkin_count"] == 1 and body["state"]["title"] == "签到成功"
    second = api.post(f"/checkin/fairs/{fair.pk}/scan", {"code": code_now(fair)}).json()
    assert not second["created"] and second["checkin_count"] == 1 and second["state"]["title"] == "已签到过"


def test_refusals_in_the_error_shape(world, api_client):
    fair = make_fair(world.school)
    api = api_client.login_as(world.stranger_user)
    refused = api.post(f"/checkin/fairs/{fair.pk}/scan", {"code": code_now(fair)})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "该活动仅面向安徽示例大学毕业生"
    api.login_as(world.graduate_user)
    expired = api.post(f"/checkin/fairs/{fair.pk}/scan", {"code": "ABCDEFGH"})
    assert expired.status_code == 400 and expired.json()["error"]["message"] == checkin.MSG_CODE_EXPIRED
    assert api.post("/checkin/fairs/999999/scan", {"code": "X"}).status_code == 404
    assert FairCheckIn.objects.count() == 0


def test_staff_current_code_card_and_attendance(world, api_client):
    fair = make_fair(world.school, audience=Audience.PROVINCE)
    api = api_client.login_as(world.school_admin)
    current = api.get(f"/checkin/fairs/{fair.pk}/code").json()
    assert current["code"] == code_now(fair) or checkin.code_is_valid(fair.checkin_secret, current["code"],
                                                                        at=timezone.now())
    assert current["url"].endswith(f"/checkin/fair/{fair.pk}/{current['code']}/")
    assert current["rotate_seconds"] == 30 and current["valid_seconds"] == 60 and current["checkin_open"]

    card, _ = card_for(world.graduate_user)
    done = api.post(f"/checkin/fairs/{fair.pk}/card", {"card_code": card.short_code})
    assert done.status_code == 200 and done.json()["graduate_name"] == "王小明"
    stranger_card, _ = card_for(world.stranger_user)
    other = api.post(f"/checkin/fairs/{fair.pk}/card", {"card_code": stranger_card.short_code}).json()
    assert other["graduate_name"] == "赵*"  # another school's graduate: masked for this school's staff

    attendance = api.get(f"/checkin/fairs/{fair.pk}/attendance").json()
    assert attendance["checkin_count"] == 2
    assert [i["name"] for i in attendance["items"]] == ["赵*", "王小明"]

    api.login_as(world.other_school_admin)
    assert api.get(f"/checkin/fairs/{fair.pk}/code").status_code == 404
    assert api.post(f"/checkin/fairs/{fair.pk}/card", {"card_code": card.short_code}).status_code == 404
    api.login_as(world.province_admin)
    assert api.get(f"/checkin/fairs/{fair.pk}/code").status_code == 403
    assert api.get(f"/checkin/fairs/{fair.pk}/attendance").json()["checkin_count"] == 2


def test_resume_only_with_consent_and_only_to_that_booths_employer(world, api_client):
    fair = make_fair(world.school)
    booth = make_booth(fair, world.employer, number=3)
    other_employer = f.make_employer(credit_code="91340100MA2N0YYY02", name="江淮汽车示例公司")
    other_booth = make_booth(fair, other_employer, number=4)
    Resume.objects.create(graduate=world.graduate, self_evaluation="热爱编程，踏实肯干。")
    world.graduate.phone = "13912345678"
    world.graduate.save()
    graduate = api_client.login_as(world.graduate_user)
    assert graduate.post(f"/checkin/booths/{booth.pk}/visit", {"share_resume": True}).status_code == 400
    graduate.post(f"/checkin/fairs/{fair.pk}/scan", {"code": code_now(fair)})
    visit = graduate.post(f"/checkin/booths/{booth.pk}/visit", {"share_resume": True}).json()
    assert visit["created"] and visit["share_resume"]
    graduate.post(f"/checkin/booths/{other_booth.pk}/visit", {"share_resume": False})

    employer = api_client.login_as(f.make_staff("employer", employer=world.employer))
    listed = employer.get(f"/checkin/booths/{booth.pk}/visitors").json()
    assert listed["fair_checkin_count"] == 1 and listed["booth_visit_count"] == 1
    assert [i["name"] for i in listed["items"]] == ["王小明"]
    visit_id = listed["items"][0]["visit_id"]
    resume = employer.get(f"/checkin/booths/{booth.pk}/visitors/{visit_id}/resume").json()["resume"]
    assert resume["self_evaluation"] == "热爱编程，踏实肯干。"
    assert "13912345678" not in str(resume) and resume["basic"]["phone"].endswith("5678")

    # the other booth's employer: visited without consent → counted, not listed; this booth → not found
    other = api_client.login_as(f.make_staff("employer", employer=other_employer))
    mine = other.get(f"/checkin/booths/{other_booth.pk}/visitors").json()
    assert mine["booth_visit_count"] == 1 and mine["items"] == []
    assert other.get(f"/checkin/booths/{booth.pk}/visitors").status_code == 404
    assert other.get(f"/checkin/booths/{booth.pk}/visitors/{visit_id}/resume").status_code == 404

    # consent withdrawn: gone at once
    api_client.login_as(world.graduate_user).post(f"/checkin/booths/{booth.pk}/visit", {"share_resume": False})
    employer = api_client.login_as(f.make_staff("employer", employer=world.employer))
    assert employer.get(f"/checkin/booths/{booth.pk}/visitors").json()["items"] == []
    assert employer.get(f"/checkin/booths/{booth.pk}/visitors/{visit_id}/resume").status_code == 404


def _shared_visit(world, api_client):
    """王小明 checked in and agreed that the employer of booth 5 may read the résumé."""
    fair = make_fair(world.school)
    booth = make_booth(fair, world.employer, number=5)
    Resume.objects.create(graduate=world.graduate, self_evaluation="热爱编程，踏实肯干。")
    graduate = api_client.login_as(world.graduate_user)
    graduate.post(f"/checkin/fairs/{fair.pk}/scan", {"code": code_now(fair)})
    graduate.post(f"/checkin/booths/{booth.pk}/visit", {"share_resume": True})
    employer = api_client.login_as(f.make_staff("employer", employer=world.employer, username="booth-owner"))
    [item] = employer.get(f"/checkin/booths/{booth.pk}/visitors").json()["items"]
    return booth, item["visit_id"], employer


@pytest.mark.parametrize("ending", ["withdrawn by the employer", "removed by the school", "employer suspended"])
def test_a_removed_booth_or_a_suspended_employer_reads_no_more_resumes(world, api_client, client, ending):
    from apps.employers.services import employer_suspend
    from apps.fairs.services import booth_decide, booth_withdraw

    booth, visit_id, employer = _shared_visit(world, api_client)
    if ending == "withdrawn by the employer":  # check-in opens before the start; withdrawing ends then
        booth_withdraw(actor=User.objects.get(username="booth-owner"), booth=booth)
        expected = "本单位已撤回该展位，不能再查看到访毕业生的简历"
    elif ending == "removed by the school":
        booth_decide(actor=world.school_admin, booth=booth, action="remove", reason="举报属实，取消参会")
        expected = "该展位已被学校取消参会，不能再查看到访毕业生的简历"
    else:
        employer_suspend(actor=world.province_admin, employer=world.employer, reason="虚假招聘")
        expected = "本单位未通过认证或已被停用，不能查看到访毕业生的简历"
    listed = employer.get(f"/checkin/booths/{booth.pk}/visitors").json()
    assert listed["items"] == [] and listed["resume_access_refusal"] == expected
    assert listed["booth_visit_count"] == 1  # the count stays: it is the unit's own fact
    response = employer.get(f"/checkin/booths/{booth.pk}/visitors/{visit_id}/resume")
    assert response.status_code == 403 and response.json()["error"]["message"] == expected
    client.force_login(User.objects.get(username="booth-owner"))
    page = client.get(f"/employer/fairs/booths/{booth.pk}/visitors/").content.decode()
    assert expected in page and "王小明" not in page
    assert client.get(f"/employer/fairs/booths/{booth.pk}/visitors/{visit_id}/").status_code == 403
