"""投递 through the API: the rules and refusals (C9, issue 12 item 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.applications.models import Application, ApplicationStatus
from apps.audit.models import AuditEntry
from apps.jobs.models import Posting, PostingStatus
from apps.notifications.models import Notification
from apps.organisations.models import EmployerStatus
from apps.resumes.models import ResumeItem
from tests import factories as f
from tests.applications.builders import make_posting, make_resume

pytestmark = pytest.mark.django_db


def apply(api_client, user, posting):
    return api_client.login_as(user).post("/applications/", {"posting_id": posting.pk})


def error(response) -> str:
    return response.json()["error"]["message"]


def test_apply_stores_the_snapshot_counts_and_notifies_the_employer(world, api_client, posting, ready):
    response = apply(api_client, world.graduate_user, posting)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["state"]["title"] == "已投递"
    assert body["resume"]["basic"]["name"] == "王小明"
    assert body["resume"]["sections"][0]["items"][0]["title"] == "安徽示例大学"
    assert [a["code"] for a in body["state"]["actions"]] == ["withdraw"]
    application = Application.objects.get()
    assert (application.employer_id, application.school_id) == (world.employer.pk, world.school.pk)
    assert Posting.objects.get(pk=posting.pk).application_count == 1
    note = Notification.objects.get(employer=world.employer, kind="application.new")
    assert "软件工程师" in note.title and f"/employer/applications/{application.pk}/" == note.link
    assert AuditEntry.objects.filter(action="application.submit", graduate_id=world.graduate.pk).exists()


def test_applying_twice_is_refused(world, api_client, posting, ready):
    assert apply(api_client, world.graduate_user, posting).status_code == 201
    second = apply(api_client, world.graduate_user, posting)
    assert second.status_code == 400
    assert error(second) == "你已投递过该职位"
    assert Application.objects.count() == 1
    assert Posting.objects.get(pk=posting.pk).application_count == 1


def test_a_race_lost_at_the_constraint_is_the_same_refusal(world, posting, ready, monkeypatch):
    """The check before the insert passes for both racers; the unique constraint decides."""
    from apps.applications import services

    services.application_submit(actor=world.graduate_user, posting=posting)
    real_filter = Application.objects.filter
    monkeypatch.setattr(Application.objects, "filter", lambda *a, **kw: real_filter(pk=-1) if "graduate" in kw
                        else real_filter(*a, **kw))
    with pytest.raises(services.DomainError, match="你已投递过该职位"):
        services.application_submit(actor=world.graduate_user, posting=posting)
    monkeypatch.undo()
    assert Application.objects.count() == 1
    assert Posting.objects.get(pk=posting.pk).application_count == 1


def test_applying_to_an_expired_posting_is_refused(world, api_client, ready):
    expired = make_posting(world.employer, world.school, days_left=-1)
    response = apply(api_client, world.graduate_user, expired)
    assert response.status_code == 400
    assert "截止" in error(response)
    assert not Application.objects.exists()


def test_applying_to_another_schools_channel_is_refused(world, api_client, ready):
    elsewhere = make_posting(world.employer, world.other_school)
    response = apply(api_client, world.graduate_user, elsewhere)
    assert response.status_code == 400
    assert error(response) == "该职位只面向其他院校的毕业生，你不能投递"
    # the province channel is open to every graduate of the province
    province_wide = make_posting(world.employer, None, province=world.province, title="测试工程师")
    assert apply(api_client, world.graduate_user, province_wide).status_code == 201


@pytest.mark.parametrize("case, message", [
    ("pending", "该职位未发布或已下线，不能投递"),
    ("suspended", "该单位账号已停用，职位已下线，不能投递"),
])
def test_unpublished_posting_or_suspended_employer_is_refused(world, api_client, ready, case, message):
    posting = make_posting(world.employer, world.school,
                           status=PostingStatus.PENDING if case == "pending" else PostingStatus.PUBLISHED)
    if case == "suspended":
        world.employer.status = EmployerStatus.SUSPENDED
        world.employer.save()
    response = apply(api_client, world.graduate_user, posting)
    assert response.status_code == 400
    assert error(response) == message


def test_applying_without_a_resume_is_refused_with_what_is_missing(world, api_client, posting):
    response = apply(api_client, world.graduate_user, posting)
    assert response.status_code == 400
    assert error(response) == "请先完善简历：至少填写一条教育经历后再投递"
    assert not Application.objects.exists()


def test_only_graduates_apply(world, api_client, posting):
    assert apply(api_client, world.employer_user, posting).status_code == 403
    assert apply(api_client, world.school_admin, posting).status_code == 403


def test_the_snapshot_does_not_change_with_the_resume(world, api_client, posting, ready):
    application_id = apply(api_client, world.graduate_user, posting).json()["id"]
    item = ResumeItem.objects.get(resume__graduate=world.graduate)
    item.title = "改过的大学"
    item.save()
    ResumeItem.objects.create(resume=item.resume, section="award", title="国家奖学金")
    mine = api_client.login_as(world.graduate_user).get(f"/applications/mine/{application_id}").json()
    employers = api_client.login_as(world.employer_user).get(f"/applications/employer/{application_id}").json()
    for body in (mine, employers):
        assert [s["key"] for s in body["resume"]["sections"]] == ["education"]
        assert body["resume"]["sections"][0]["items"][0]["title"] == "安徽示例大学"


def test_another_graduates_application_is_not_found(world, api_client, posting, ready):
    application_id = apply(api_client, world.graduate_user, posting).json()["id"]
    classmate_user = f.graduate_user(world.classmate)
    other = api_client.login_as(classmate_user)
    assert other.get(f"/applications/mine/{application_id}").status_code == 404
    assert other.post(f"/applications/mine/{application_id}/withdraw").status_code == 404
    assert other.get("/applications/mine").json()["items"] == []
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_another_employer_sees_none_of_the_applicants(world, api_client, posting, ready):
    application_id = apply(api_client, world.graduate_user, posting).json()["id"]
    rival = f.make_employer(credit_code="91340100MA2N0XXX02", name="别家公司")
    rival_user = f.make_staff(Role.EMPLOYER, employer=rival, username="rival")
    api = api_client.login_as(rival_user)
    assert api.get(f"/applications/employer/{application_id}").status_code == 404
    assert api.get(f"/applications/employer/postings/{posting.pk}").status_code == 404
    assert api.get("/applications/employer").json()["items"] == []
    assert api.post(f"/applications/employer/{application_id}/advance", {"status": "hired"}).status_code == 404
    assert api.post(f"/applications/employer/{application_id}/contact").status_code == 404
    assert api.post(f"/applications/employer/{application_id}/signing").status_code == 404
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED  # not even marked viewed


def _applied(world, api_client, posting):
    application_id = apply(api_client, world.graduate_user, posting).json()["id"]
    return application_id, api_client.login_as(world.employer_user)


def test_the_employer_reading_marks_viewed_and_the_graduate_is_told(world, api_client, posting, ready):
    application_id, api = _applied(world, api_client, posting)
    body = api.get(f"/applications/employer/{application_id}").json()
    assert body["status"] == "viewed"
    assert body["graduate"]["name"] == "王小明"
    assert body["resume"]["basic"]["phone"] == "138****5678"  # masked until asked for
    assert [a["code"] for a in body["state"]["actions"]] == ["interview", "hired", "unsuitable"]
    note = Notification.objects.get(graduate=world.graduate, kind="application.status")
    assert "已查看" in note.title and note.link == f"/services/applications/{application_id}/"
    api.get(f"/applications/employer/{application_id}")  # a second read changes nothing
    assert Notification.objects.filter(graduate=world.graduate).count() == 1


def test_the_contact_is_revealed_on_request_and_audited(world, api_client, posting, ready):
    application_id, api = _applied(world, api_client, posting)
    contact = api.post(f"/applications/employer/{application_id}/contact").json()
    assert contact == {"phone": "13812345678", "email": "xiaoming@example.com"}
    entry = AuditEntry.objects.get(action="application.contact")
    assert "13812345678" not in str(entry.changes)


def test_interview_then_hire_notifies_each_change(world, api_client, posting, ready):
    application_id, api = _applied(world, api_client, posting)
    api.get(f"/applications/employer/{application_id}")  # opening it: 已查看
    at = timezone.now() + timedelta(days=3)
    response = api.post(f"/applications/employer/{application_id}/advance",
                        {"status": "interview", "interview_at": at.isoformat(), "interview_place": "高新区创新大道1号",
                         "note": "请带好作品集"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "interview" and body["interview_place"] == "高新区创新大道1号"
    mine = api_client.login_as(world.graduate_user).get(f"/applications/mine/{application_id}").json()
    local = timezone.localtime(at)
    assert f"{local:%Y年%m月%d日 %H:%M}" in mine["state"]["text"] and "高新区创新大道1号" in mine["state"]["text"]
    assert "请带好作品集" in mine["state"]["text"]
    api.login_as(world.employer_user).post(f"/applications/employer/{application_id}/advance", {"status": "hired"})
    titles = list(Notification.objects.filter(graduate=world.graduate).order_by("id").values_list("title", flat=True))
    assert [t.rsplit(" · ", 1)[1] for t in titles] == ["已查看", "邀请面试", "录用"]
    assert AuditEntry.objects.filter(action="application.advance").count() == 3


@pytest.mark.parametrize("path, target, message", [
    ([], "interview", "投递状态为“已投递”，不能改为“邀请面试”"),
    ([], "hired", "投递状态为“已投递”，不能改为“录用”"),
    (["unsuitable"], "hired", "投递状态为“不合适”，不能改为“录用”"),
    (["hired"], "unsuitable", "投递状态为“录用”，不能改为“不合适”"),
    (["viewed"], "submitted", "投递状态为“已查看”，不能改为“已投递”"),
    (["viewed"], "withdrawn", "投递状态为“已查看”，不能改为“已撤回”"),
])
def test_wrong_transitions_are_refused(world, posting, ready, path, target, message):
    from apps.applications import services
    from apps.core.errors import DomainError

    application = services.application_submit(actor=world.graduate_user, posting=posting)
    for status in path:
        if status != "viewed":
            services.application_advance(actor=world.employer_user, application=application, status="viewed")
        application = services.application_advance(actor=world.employer_user, application=application, status=status)
    before = Application.objects.get(pk=application.pk).status
    with pytest.raises(DomainError) as refused:
        services.application_advance(actor=world.employer_user, application=application, status=target,
                                     interview_at=timezone.now() + timedelta(days=1), interview_place="会议室")
    assert refused.value.message == message
    assert Application.objects.get(pk=application.pk).status == before


def test_interview_needs_a_future_time_and_a_place(world, api_client, posting, ready):
    application_id, api = _applied(world, api_client, posting)
    api.get(f"/applications/employer/{application_id}")
    url = f"/applications/employer/{application_id}/advance"
    past = api.post(url, {"status": "interview", "interview_at": (timezone.now() - timedelta(hours=1)).isoformat(),
                          "interview_place": "会议室"})
    assert past.status_code == 400 and past.json()["error"]["fields"]["interview_at"] == "面试时间应晚于当前时间"
    no_place = api.post(url, {"status": "interview", "interview_at": (timezone.now() + timedelta(days=1)).isoformat()})
    assert no_place.status_code == 400 and error(no_place) == "请填写面试地点"
    local = (timezone.localtime() + timedelta(days=1)).replace(tzinfo=None, second=0, microsecond=0)
    naive = api.post(url, {"status": "interview", "interview_at": local.isoformat(), "interview_place": "会议室"})
    assert naive.status_code == 200, naive.content  # a time without offset is the site's local time
    assert timezone.localtime(Application.objects.get().interview_at).replace(tzinfo=None) == local
    Application.objects.update(status=ApplicationStatus.VIEWED)
    no_time = api.post(url, {"status": "interview", "interview_place": "会议室"})
    assert no_time.status_code == 400 and error(no_time) == "请填写面试时间"
    assert Application.objects.get().status == ApplicationStatus.VIEWED


def test_withdraw_until_decided(world, api_client, posting, ready):
    application_id, api = _applied(world, api_client, posting)
    graduate = api_client.login_as(world.graduate_user)
    response = graduate.post(f"/applications/mine/{application_id}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert Notification.objects.filter(employer=world.employer, kind="application.withdrawn").exists()
    again = graduate.post(f"/applications/mine/{application_id}/withdraw")
    assert again.status_code == 400 and error(again) == "投递状态为“已撤回”，不能撤回"
    assert error(apply(api_client, world.graduate_user, posting)) == "你已投递过该职位"


def test_no_withdrawal_after_the_decision(world, api_client, posting, ready):
    application_id, api = _applied(world, api_client, posting)
    api.get(f"/applications/employer/{application_id}")
    api.post(f"/applications/employer/{application_id}/advance", {"status": "unsuitable"})
    refused = api_client.login_as(world.graduate_user).post(f"/applications/mine/{application_id}/withdraw")
    assert refused.status_code == 400 and error(refused) == "投递状态为“不合适”，不能撤回"


def test_lists_filter_by_posting_and_status(world, api_client, posting, ready):
    other_posting = make_posting(world.employer, world.school, title="测试工程师")
    classmate_user = f.graduate_user(world.classmate)
    make_resume(world.classmate)
    first = apply(api_client, world.graduate_user, posting).json()["id"]
    apply(api_client, classmate_user, other_posting)
    api = api_client.login_as(world.employer_user)
    api.get(f"/applications/employer/{first}")  # viewed
    every = api.get("/applications/employer").json()
    assert [i["posting"]["title"] for i in every["items"]] == ["测试工程师", "软件工程师"]
    assert every["count"] == 2 and every["has_next"] is False
    assert [i["id"] for i in api.get("/applications/employer", status="viewed").json()["items"]] == [first]
    assert [i["id"] for i in api.get("/applications/employer", posting_id=posting.pk).json()["items"]] == [first]
    per_posting = api.get(f"/applications/employer/postings/{other_posting.pk}").json()
    assert [i["graduate"]["name"] for i in per_posting["items"]] == ["李华"]
    mine = api_client.login_as(world.graduate_user).get("/applications/mine").json()
    assert [i["posting"]["employer"] for i in mine["items"]] == ["合肥示例科技有限公司"]


def test_signing_start_only_from_hired(world, api_client, posting, ready):
    application_id, api = _applied(world, api_client, posting)
    api.get(f"/applications/employer/{application_id}")
    refused = api.post(f"/applications/employer/{application_id}/signing")
    assert refused.status_code == 400 and error(refused) == "只有已录用的投递者才能发起网签"
    api.post(f"/applications/employer/{application_id}/advance", {"status": "hired"})
    started = api.post(f"/applications/employer/{application_id}/signing")
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["prefill"]["position_name"] == "软件工程师" and body["prefill"]["position_category_code"] == "13"
    assert "蜀山区" in body["prefill"]["work_place"]
    assert f"/sign/c/{body['token']}/invite/" in body["invitation_link"]
    assert AuditEntry.objects.filter(action="signing.employer_from_application").exists()


def test_a_suspended_employer_starts_no_signing(world, api_client, posting, ready):
    application_id, api = _applied(world, api_client, posting)
    api.get(f"/applications/employer/{application_id}")
    api.post(f"/applications/employer/{application_id}/advance", {"status": "hired"})
    world.employer.status = EmployerStatus.SUSPENDED
    world.employer.save()
    refused = api.post(f"/applications/employer/{application_id}/signing")
    assert refused.status_code == 400 and "停用" in error(refused)
