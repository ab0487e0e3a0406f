"""The fair journey of issue 13's "Done means", in one test: the school publishes a fair with one
booth (desktop); two employers apply for it; the first is approved, the second waits and moves up
(and is notified) when the first withdraws; a graduate (phone) registers, checks in by opening
the link of the QR on the school's screen, and a second check-in does not count twice; the
employer at the booth sees the count."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.fairs.models import BoothStatus, FairBooth, FairCheckIn, JobFair
from apps.notifications.models import Notification
from tests import factories as f
from tests.browser.conftest import PHONE, login_graduate, login_staff
from tests.factories import PASSWORD


def _local(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%dT%H:%M}"


def _employer_page(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_staff(page, username, PASSWORD)
    return context, page


def _apply(page, fair_pk, posting_title):
    page.goto(f"/employer/fairs/{fair_pk}/")
    page.check(f"#booth-postings label:has-text('{posting_title}') input")
    page.fill("#b-contact", "王经理")
    page.fill("#b-phone", "0551-12345678")
    page.click("#booth-apply")
    expect(page.locator("#my-booth-state")).to_have_text("待审核")


def test_fair_published_booth_waiting_list_moves_up_graduate_checks_in_once(world, phone, desktop, browser,
                                                                           live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url  # what the phones reach in this test
    first_employer = world.employer
    second_employer = f.make_employer(credit_code="91340100MA2N0YYY02", name="江淮汽车示例公司",
                                      province=world.province)
    f.make_staff(Role.EMPLOYER, employer=second_employer, username="employer-b")
    f.make_posting(first_employer, world.school, title="后端开发工程师")
    f.make_posting(second_employer, world.school, title="机械设计工程师")
    now = timezone.now()

    # the school publishes a fair with one booth; check-in opens an hour before its start
    login_staff(desktop, "school-a", PASSWORD)
    desktop.goto("/staff/fairs/new/")
    desktop.fill("#f-title", "2027届秋季双选会")
    desktop.fill("#f-starts", _local(now + timedelta(minutes=30)))
    desktop.fill("#f-ends", _local(now + timedelta(hours=4)))
    desktop.fill("#f-venue", "体育馆一楼")
    desktop.fill("#f-booths", "1")
    desktop.fill("#f-deadline", _local(now + timedelta(minutes=20)))
    desktop.click("#fair-save")
    expect(desktop.locator("h1")).to_contain_text("2027届秋季双选会")
    fair = JobFair.objects.get()

    # two employers apply for the last (only) booth
    first_ctx, first = _employer_page(browser, live_server, "employer")
    second_ctx, second = _employer_page(browser, live_server, "employer-b")
    try:
        _apply(first, fair.pk, "后端开发工程师")
        _apply(second, fair.pk, "机械设计工程师")

        # the school approves both: the first gets the booth, the second goes on the waiting list
        for name in (first_employer.name, second_employer.name):
            desktop.goto(f"/staff/fairs/{fair.pk}/?status=pending")
            desktop.locator(f"tr[data-employer='{name}'] button[data-action=approve]").click()
            expect(desktop.locator(f"tr[data-employer='{name}']")).to_have_count(0)
        assert FairBooth.objects.get(employer=first_employer).status == BoothStatus.APPROVED
        assert FairBooth.objects.get(employer=second_employer).status == BoothStatus.WAITING
        second.reload()
        expect(second.locator("#my-booth-state")).to_have_text("候补中（第1位）")

        # the first withdraws: the second moves up and is told so
        first.reload()
        first.once("dialog", lambda dialog: dialog.accept())
        first.click("#booth-withdraw")
        expect(first.locator("#my-booth-state")).to_have_text("已撤回")
        second.reload()
        expect(second.locator("#my-booth-state")).to_have_text("已通过（展位号1）")
        assert Notification.objects.filter(employer=second_employer, kind="fair.booth",
                                           title__contains="候补转正").exists()

        # a graduate registers on a phone
        g = world.graduate
        login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number,
                       id_number=g.id_number)
        phone.goto(f"/services/fairs/{fair.pk}/")
        phone.click("#fair-interest")
        expect(phone.locator("#fair-registered")).to_be_visible()

        # at the venue: the school's screen shows the QR; the phone opens the link it carries
        desktop.goto(f"/staff/fairs/{fair.pk}/")
        desktop.click("#fair-checkin-screen-link")
        link = desktop.locator("#checkin-qr").get_attribute("data-url")
        assert link.startswith(f"{live_server.url}/checkin/fair/{fair.pk}/")
        phone.goto(link)
        expect(phone.locator("#checkin-state-title")).to_have_text("签到成功")
        phone.goto(link)
        expect(phone.locator("#checkin-state-title")).to_have_text("已签到过")
        phone.goto(f"/services/fairs/{fair.pk}/")
        expect(phone.locator("#fair-checkin-title")).to_have_text("已签到")
        assert FairCheckIn.objects.filter(fair=fair).count() == 1
        expect(desktop.locator("#checkin-count")).to_have_text("1", timeout=15_000)

        # the employer at the booth sees the count
        second.reload()
        booth = FairBooth.objects.get(employer=second_employer, status=BoothStatus.APPROVED)
        expect(second.locator(f"#booth-visitors-{booth.pk}")).to_contain_text("招聘会签到 1 人")
    finally:
        first_ctx.close()
        second_ctx.close()
