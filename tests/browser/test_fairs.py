"""招聘会 in the browser: the school (desktop) publishes a fair with one booth; two employers
(phones) apply with their postings; the school approves both → one 已通过, the other 候补中; the
first withdraws → the second reads 已通过 and finds the 候补转正 message; a graduate (phone)
sees the fair with the employer's posting and registers (我要参加)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.fairs.models import BoothStatus, FairBooth, JobFair
from tests import factories as f
from tests.browser.conftest import PHONE, login_graduate, login_staff
from tests.factories import PASSWORD

PATIENCE_MS = 30_000


@pytest.fixture(autouse=True)
def patient_expect():
    expect.set_options(timeout=PATIENCE_MS)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def second_phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    context.set_default_timeout(PATIENCE_MS)
    page = context.new_page()
    yield page
    context.close()


def _employer(world, name: str, username: str, code: str, title: str):
    employer = f.make_employer(credit_code=code, name=name, province=world.province)
    f.make_staff(Role.EMPLOYER, employer=employer, username=username)
    f.make_posting(employer, world.school, title=title)
    return employer


def _apply(page, username: str, fair_title: str, posting_title: str):
    login_staff(page, username, PASSWORD)
    page.goto("/employer/")
    page.click("#employer-fairs-link")
    page.click(f"#employer-fairs a:has-text('{fair_title}')")
    page.check(f"#booth-postings label:has-text('{posting_title}') input")
    page.fill("#b-contact", "王经理")
    page.fill("#b-phone", "13900001111")
    page.click("#booth-apply")
    expect(page.locator("#my-booth-state")).to_have_text("待审核")


def test_publish_apply_wait_and_move_up(world, desktop, phone, second_phone):
    _employer(world, "甲科技有限公司", "hr-jia", "91340100MA2N1XXX01", "后端工程师")
    _employer(world, "乙制造有限公司", "hr-yi", "91340100MA2N2XXX01", "机械设计师")
    desktop.on("dialog", lambda dialog: dialog.accept())
    phone.on("dialog", lambda dialog: dialog.accept())

    # the school publishes a fair with one booth
    login_staff(desktop, "school-a", PASSWORD)
    desktop.goto("/staff/fairs/")
    desktop.click("#fair-new-link")
    day = timezone.localdate() + timedelta(days=12)
    desktop.fill("#f-title", "冬季双选会")
    desktop.fill("#f-starts", f"{day}T09:00")
    desktop.fill("#f-ends", f"{day}T15:00")
    desktop.fill("#f-venue", "体育馆")
    desktop.fill("#f-booths", "1")
    desktop.fill("#f-deadline", f"{day - timedelta(days=2)}T17:00")
    desktop.click("#fair-save")
    expect(desktop.locator("#fair-state-title")).to_have_text("报名中")
    fair = JobFair.objects.get(title="冬季双选会")

    # two employers apply on their phones
    _apply(phone, "hr-jia", "冬季双选会", "后端工程师")
    _apply(second_phone, "hr-yi", "冬季双选会", "机械设计师")

    # the school approves both: the first gets the booth, the second waits
    desktop.goto(f"/staff/fairs/{fair.pk}/")
    desktop.click("#booth-table tr[data-employer='甲科技有限公司'] button[data-action=approve]")
    expect(desktop.locator(".alert.success")).to_contain_text("已通过")
    desktop.goto(f"/staff/fairs/{fair.pk}/?status=pending")
    desktop.click("#booth-table tr[data-employer='乙制造有限公司'] button[data-action=approve]")
    desktop.goto(f"/staff/fairs/{fair.pk}/?status=waiting")
    expect(desktop.locator("#booth-table tr[data-employer='乙制造有限公司'] .booth-state")).to_have_text("候补中（第1位）")

    phone.reload()
    expect(phone.locator("#my-booth-state")).to_have_text("已通过（展位号1）")
    second_phone.reload()
    expect(second_phone.locator("#my-booth-state")).to_have_text("候补中（第1位）")

    # the first withdraws: the second moves up and is told
    phone.click("#booth-withdraw")
    expect(phone.locator("#my-booth-state")).to_have_text("已撤回")
    second_phone.reload()
    expect(second_phone.locator("#my-booth-state")).to_have_text("已通过（展位号1）")
    second_phone.goto("/notifications/")
    expect(second_phone.locator("body")).to_contain_text("候补转正")
    assert FairBooth.objects.get(fair=fair, status=BoothStatus.APPROVED).employer.name == "乙制造有限公司"


def test_graduate_sees_the_employers_and_registers(world, phone):
    from apps.fairs import services

    employer = _employer(world, "丙软件有限公司", "hr-bing", "91340100MA2N3XXX01", "测试工程师")
    now = timezone.now()
    fair = services.fair_publish(actor=world.school_admin, kind="job_fair", title="春季招聘会", venue="报告厅",
                                 booth_count=3, audience="school", starts_at=now + timedelta(days=5),
                                 ends_at=now + timedelta(days=5, hours=3), apply_deadline=now + timedelta(days=2))
    employer_user = employer.user_set.get()
    booth = services.booth_apply(actor=employer_user, fair=fair, posting_ids=[employer.postings.get().pk],
                                 contact_name="陈经理", contact_phone="13900002222")
    services.booth_decide(actor=world.school_admin, booth=booth, action="approve")
    login_graduate(phone, school_name=world.school.name, name=world.graduate.name,
                   student_number=world.graduate.student_number, id_number=f.make_id_number(serial=123))
    phone.goto("/services/")
    phone.click("#fairs-entry")
    phone.click("#fairs a:has-text('春季招聘会')")
    expect(phone.locator("#fair-state-title")).to_have_text("即将开始")  # the fair's own state, not the booth application
    expect(phone.locator("#fair-employers")).to_contain_text("丙软件有限公司")
    expect(phone.locator("#fair-employers a:has-text('测试工程师')")).to_be_visible()
    phone.click("#fair-interest")
    expect(phone.locator("#fair-registered")).to_have_text("已报名")
    expect(phone.locator("#fair-interest")).to_have_text("取消报名")
