"""投递 pages: the graduate's (apply box, my applications, detail, withdraw) and the
employer's (lists, applicant with the snapshot, status form, 发起网签 into the existing flow)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from apps.applications import services
from apps.applications.models import Application, ApplicationStatus
from apps.applications.selectors import apply_box
from apps.organisations.models import SchoolPolicy
from apps.signing.models import Invitation
from tests import factories as f
from tests.applications.builders import make_posting
from tests.signing.helpers import credit_code, make_ready, png, terms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_the_apply_box_offers_applying_then_shows_the_state(world, posting, ready):
    before = render_to_string("applications/_apply_box.html", apply_box(graduate=world.graduate, posting=posting))
    assert 'id="apply-button"' in before and f"/services/jobs/{posting.pk}/apply/" in before
    services.application_submit(actor=world.graduate_user, posting=posting)
    after = render_to_string("applications/_apply_box.html", apply_box(graduate=world.graduate, posting=posting))
    assert 'id="apply-button"' not in after and "已投递" in after and "查看投递详情" in after


def test_the_apply_box_says_the_resume_is_missing(world, posting):
    box = render_to_string("applications/_apply_box.html", apply_box(graduate=world.graduate, posting=posting))
    assert "请先完善简历：至少填写一条教育经历后再投递" in box


def test_a_graduate_applies_follows_and_withdraws(world, posting, ready):
    me = logged_in(world.graduate_user)
    applied = me.post(f"/services/jobs/{posting.pk}/apply/")
    application = Application.objects.get()
    assert applied.status_code == 302 and applied.url == f"/services/applications/{application.pk}/"
    detail = text(me.get(applied.url, follow=True))
    assert "投递成功" in detail and "已投递" in detail and "安徽示例大学" in detail and "13812345678" in detail
    listing = text(me.get("/services/applications/"))
    assert f'data-application="{application.pk}"' in listing and "软件工程师" in listing
    assert "我的投递" in text(me.get("/services/"))
    again = me.post(f"/services/jobs/{posting.pk}/apply/", follow=True)
    assert "你已投递过该职位" in text(again)
    withdrawn = me.post(f"/services/applications/{application.pk}/withdraw/", follow=True)
    assert "投递已撤回" in text(withdrawn) and "已撤回" in text(withdrawn)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_graduate_pages_refuse_others(world, posting, ready):
    application = services.application_submit(actor=world.graduate_user, posting=posting)
    stranger = logged_in(world.stranger_user)
    assert stranger.get(f"/services/applications/{application.pk}/").status_code == 404
    assert stranger.post(f"/services/applications/{application.pk}/withdraw/").status_code == 404
    assert logged_in(world.employer_user).get("/services/applications/").status_code == 403
    assert Client().get("/services/applications/").status_code == 302
    # another school's channel: refused with the reason, nothing stored
    elsewhere = make_posting(world.employer, world.other_school, title="机械工程师")
    refused = logged_in(world.graduate_user).post(f"/services/jobs/{elsewhere.pk}/apply/", follow=True)
    assert "该职位只面向其他院校的毕业生" in text(refused)
    assert Application.objects.count() == 1


def test_the_employer_opens_an_applicant_and_invites_to_interview(world, posting, ready):
    application = services.application_submit(actor=world.graduate_user, posting=posting)
    me = logged_in(world.employer_user)
    listing = text(me.get("/employer/applications/"))
    assert "王小明" in listing and "已投递" in listing
    assert "收到的投递" in text(me.get("/employer/"))
    detail = text(me.get(f"/employer/applications/{application.pk}/"))
    assert "已查看" in detail and "安徽示例大学" in detail
    assert "13812345678" not in detail and "138****5678" in detail  # masked until asked for
    contact = text(me.post(f"/employer/applications/{application.pk}/contact/"))
    assert "13812345678" in contact and "xiaoming@example.com" in contact
    application.refresh_from_db()
    assert application.status == ApplicationStatus.VIEWED
    past = me.post(f"/employer/applications/{application.pk}/advance/",
                   {"status": "interview", "interview_at": "2020-01-01T10:00", "interview_place": "会议室"})
    assert past.status_code == 400 and "面试时间应晚于当前时间" in text(past)
    when = timezone.localtime() + timedelta(days=2)
    ok = me.post(f"/employer/applications/{application.pk}/advance/",
                 {"status": "interview", "interview_at": when.strftime("%Y-%m-%dT%H:%M"), "interview_place": "三楼会议室"})
    assert ok.status_code == 302
    mine = text(logged_in(world.graduate_user).get(f"/services/applications/{application.pk}/"))
    assert "邀请面试" in mine and "三楼会议室" in mine and when.strftime("%Y-%m-%d %H:%M") in mine
    per_posting = text(me.get(f"/employer/postings/{posting.pk}/applicants/?status=interview"))
    assert "王小明" in per_posting and "三楼会议室" in per_posting
    assert "王小明" not in text(me.get(f"/employer/postings/{posting.pk}/applicants/?status=hired"))


def test_another_employer_reads_no_applicant(world, posting, ready):
    application = services.application_submit(actor=world.graduate_user, posting=posting)
    rival = f.make_staff("employer", employer=f.make_employer(credit_code="91340100MA2N0XXX09", name="别家"),
                         username="rival")
    other = logged_in(rival)
    assert other.get(f"/employer/applications/{application.pk}/").status_code == 404
    assert other.get(f"/employer/postings/{posting.pk}/applicants/").status_code == 404
    assert other.post(f"/employer/applications/{application.pk}/advance/", {"status": "unsuitable"}).status_code == 404
    assert "王小明" not in text(other.get("/employer/applications/"))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_hired_applicant_gets_the_prefilled_invitation_and_finds_it_in_signing(world, ready):
    """发起网签 from 录用: the invite form is prefilled from the account and the posting; the
    invitation sent reaches the graduate's 网签邀约通知."""
    SchoolPolicy.objects.update_or_create(school=world.school,
                                          defaults={"signing_opens_on": timezone.localdate() - timedelta(days=1)})
    make_ready(world.graduate)
    world.employer.credit_code = credit_code()
    world.employer.save()
    posting = make_posting(world.employer, world.school, title="后端开发工程师")
    application = services.application_submit(actor=world.graduate_user, posting=posting)
    me = logged_in(world.employer_user)
    me.get(f"/employer/applications/{application.pk}/")
    not_yet = me.post(f"/employer/applications/{application.pk}/sign/", follow=True)
    assert "只有已录用的投递者才能发起网签" in text(not_yet)
    me.post(f"/employer/applications/{application.pk}/advance/", {"status": "hired"})
    assert 'id="start-signing-from-application"' in text(me.get(f"/employer/applications/{application.pk}/"))
    started = me.post(f"/employer/applications/{application.pk}/sign/")
    assert started.status_code == 302 and "/invite/?" in started.url
    form = text(me.get(started.url))
    assert 'value="后端开发工程师"' in form and 'value="合肥示例科技有限公司"' in form
    token = started.url.split("/")[3]
    sent = me.post(f"/sign/c/{token}/invite/", {**terms(position_name="后端开发工程师"), "certificate": png()})
    assert sent.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.graduate_id, invitation.employer_id) == (world.graduate.pk, world.employer.pk)
    inbox = text(logged_in(world.graduate_user).get("/signing/invitations/"))
    assert "合肥示例科技有限公司" in inbox and "后端开发工程师" in inbox
