"""投递 end to end in two browser contexts: the graduate (phone) applies from the posting's
page; the employer (desktop) opens the applicant — which marks it 已查看 — and invites to an
interview; the graduate reloads and reads 邀请面试 with the time and the place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.applications.models import Application, ApplicationStatus
from tests.applications.builders import make_posting, make_resume
from tests.browser.conftest import login_graduate, login_staff
from tests.factories import PASSWORD, make_id_number


@pytest.fixture
def posting(world):
    return make_posting(world.employer, world.school, title="后端开发工程师")


def test_graduate_applies_employer_invites_graduate_sees_the_interview(world, posting, phone, desktop):
    make_resume(world.graduate)
    # the graduate, on a phone
    login_graduate(phone, school_name="安徽示例大学", name="王小明", student_number="2022010101",
                   id_number=make_id_number(serial=123))
    phone.goto(f"/services/jobs/{posting.pk}/")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("#apply-button")
    expect(phone.locator(".application-status").first).to_have_text("已投递")
    expect(phone.locator("#application-snapshot")).to_contain_text("安徽示例大学")
    application = Application.objects.get()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # the employer, on a desktop
    login_staff(desktop, "employer", PASSWORD)
    desktop.goto("/employer/")
    desktop.click("#employer-applications-link")
    desktop.click(f"[data-application='{application.pk}']")
    expect(desktop.locator("#application-detail .application-status")).to_have_text("已查看")
    when = timezone.localtime() + timedelta(days=3)
    when = when.replace(hour=14, minute=30)
    desktop.fill("#interview_at", when.strftime("%Y-%m-%dT%H:%M"))
    desktop.fill("#interview_place", "合肥市高新区创新大道1号三楼")
    desktop.fill("#interview_note", "请携带身份证")
    desktop.click("#advance-interview")
    expect(desktop.locator("#application-detail .application-status")).to_have_text("邀请面试")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEW

    # the graduate reloads
    phone.reload()
    expect(phone.locator("#application-detail .application-status")).to_have_text("邀请面试")
    expect(phone.locator("#interview-at")).to_have_text(when.strftime("%Y-%m-%d %H:%M"))
    expect(phone.locator("#interview-place")).to_have_text("合肥市高新区创新大道1号三楼")
    expect(phone.locator(".application-state-text")).to_contain_text("请携带身份证")
    phone.goto("/services/applications/")
    expect(phone.locator(f"[data-application='{application.pk}'] .application-status")).to_have_text("邀请面试")


@pytest.fixture
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


def test_the_employer_starts_signing_from_a_hired_applicant(world, posting, phone, desktop, private_media, tmp_path):
    """From 录用: 发起网签 opens the invitation form prefilled with the unit and the position;
    the graduate finds the invitation in 网签邀约通知."""
    from PIL import Image

    from apps.applications import services
    from apps.organisations.models import SchoolPolicy
    from tests.browser.conftest import fill_invitation_form
    from tests.signing.helpers import credit_code, make_ready

    SchoolPolicy.objects.update_or_create(school=world.school,
                                          defaults={"signing_opens_on": timezone.localdate() - timedelta(days=1)})
    make_ready(world.graduate)
    world.employer.credit_code = credit_code()
    world.employer.save()
    make_resume(world.graduate)
    application = services.application_submit(actor=world.graduate_user, posting=posting)
    services.application_mark_viewed(actor=world.employer_user, application=application)
    services.application_advance(actor=world.employer_user, application=application, status="hired")
    certificate = tmp_path / "certificate.png"
    Image.new("RGB", (320, 200), (200, 30, 30)).save(certificate)

    login_staff(desktop, "employer", PASSWORD)
    desktop.goto(f"/employer/applications/{application.pk}/")
    expect(desktop.locator("#application-detail .application-status")).to_have_text("录用")
    desktop.click("#start-signing-from-application")
    expect(desktop.locator("[name=position_name]")).to_have_value("后端开发工程师")
    expect(desktop.locator("[name=unit_name]")).to_have_value("合肥示例科技有限公司")
    fill_invitation_form(desktop, unit_name="合肥示例科技有限公司", credit_code=world.employer.credit_code,
                         certificate=certificate)
    desktop.fill("[name=position_name]", "后端开发工程师")
    desktop.click("#send-invitation")
    expect(desktop.locator("body")).to_contain_text("邀约已发送")

    login_graduate(phone, school_name="安徽示例大学", name="王小明", student_number="2022010101",
                   id_number=make_id_number(serial=123))
    phone.goto(f"/services/applications/{application.pk}/")
    phone.click("[data-action='invitations']")
    expect(phone.locator("body")).to_contain_text("合肥示例科技有限公司")
    expect(phone.locator("body")).to_contain_text("后端开发工程师")
