"""毕业去向登记 states as people read them in a real browser: the graduate on a phone, the
college and school reviewers on a desktop, through every state of the workflow (none →
draft → submitted → returned by the college → resubmitted → 初审通过 → returned by the school
→ … → 审核通过), the locked online-signed return and the passed cut-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.destinations.models import Destination, DestinationStatus
from apps.destinations.services import destination_review
from apps.organisations.models import SchoolPolicy
from tests.browser.conftest import DESKTOP, choose_destination_category, login_graduate, login_staff
from tests.factories import PASSWORD
from tests.signing.helpers import accept, invite, make_ready


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def open_window(world):
    SchoolPolicy.objects.update_or_create(
        school=world.school, defaults={"destination_cutoff_on": timezone.localdate() + timedelta(days=60)})
    return world


def _graduate(phone, world):
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number,
                   id_number=g.id_number)
    expect(phone.locator("nav.tabbar a.active")).to_have_text("首页")
    phone.goto("/register/destination/")


def _staff(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_staff(page, username, PASSWORD)
    page.wait_for_url("**/staff/")
    return context, page


def _reads(page, title: str, explanation: str):
    expect(page.locator("#state-title")).to_have_text(title)
    expect(page.locator("#state-explanation")).to_contain_text(explanation)


def test_every_state_as_graduate_college_and_school(open_window, phone, browser, live_server):
    world = open_window
    _graduate(phone, world)
    _reads(phone, "未登记", "尚未登记毕业去向")
    expect(phone.locator("#state-actions")).to_contain_text("提交审核")

    choose_destination_category(phone, "701")
    phone.click("#save-button")
    _reads(phone, "未提交", "尚未提交审核")
    phone.click("#submit-button")
    _reads(phone, "待院系初审", "等待院系初审；审核期间不能修改")
    expect(phone.locator("#state-actions")).to_have_count(0)
    expect(phone.locator("#destination-form")).to_have_count(0)

    college_ctx, college = _staff(browser, live_server, "college-a1")
    school_ctx, school = _staff(browser, live_server, "school-a")
    pk = Destination.objects.get(graduate=world.graduate).pk
    detail = f"/staff/destinations/{pk}/"

    # the college's home page links its 初审 queue
    expect(college.locator("#destination-queue-link")).to_have_text("毕业去向初审")
    college.click("#destination-queue-link")
    college.click(f"#destination-table a:has-text('{world.graduate.name}')")
    _reads(college, "待院系初审", "待您初审")
    school.goto(detail)
    _reads(school, "待院系初审", "等待院系初审")
    expect(school.locator("#review-form")).to_have_count(0)

    college.fill("#f-reason", "请补充求职说明")
    college.click("#return-button")
    expect(college.locator(".alert.success")).to_contain_text("已退回")
    phone.reload()
    _reads(phone, "院系退回", "被院系退回，请按退回原因修改后重新提交审核")
    expect(phone.locator("#return-reason")).to_have_text("退回原因：请补充求职说明")
    expect(phone.locator("#state-actions")).to_contain_text("重新提交审核")
    college.goto(detail)
    _reads(college, "院系退回", "院系已退回，等待毕业生修改后重新提交")

    phone.click("#submit-button")
    _reads(phone, "待院系初审", "等待院系初审")
    college.goto(detail)
    college.click("#approve-button")
    expect(college.locator(".alert.success")).to_contain_text("初审通过")
    phone.reload()
    _reads(phone, "初审通过，待学校终审", "院系初审已通过，等待学校终审")
    college.goto(detail)
    _reads(college, "初审通过，待学校终审", "等待学校终审")
    expect(college.locator("#review-form")).to_have_count(0)

    school.goto(detail)
    _reads(school, "初审通过，待学校终审", "待您终审")
    school.fill("#f-reason", "去向与说明不一致")
    school.click("#return-button")
    expect(school.locator(".alert.success")).to_contain_text("已退回")
    phone.reload()
    _reads(phone, "学校退回", "被学校退回")
    expect(phone.locator("#return-reason")).to_have_text("退回原因：去向与说明不一致")

    phone.click("#submit-button")
    college.goto(detail)
    college.click("#approve-button")
    school.goto(detail)
    school.click("#approve-button")
    expect(school.locator(".alert.success")).to_contain_text("审核通过")
    phone.reload()
    _reads(phone, "审核通过", "学校审核通过，毕业去向已确认，不能修改")
    expect(phone.locator("#destination-form")).to_have_count(0)
    school.goto(detail)
    _reads(school, "审核通过", "学校审核通过")
    college_ctx.close()
    school_ctx.close()


def test_a_returned_online_signed_destination_is_locked_for_the_graduate(open_window, phone, browser, live_server):
    world = open_window
    make_ready(world.graduate)
    invitation, _ = invite(world.graduate, world.graduate_user)
    accept(world.graduate_user, invitation)
    destination = Destination.objects.get(graduate=world.graduate)
    destination_review(actor=world.college_admin, destination=destination, approve=True)
    destination_review(actor=world.school_admin, destination=destination, approve=False, reason="单位行业有误")
    assert Destination.objects.get(pk=destination.pk).status == DestinationStatus.RETURNED

    _graduate(phone, world)
    _reads(phone, "已网签 · 学校退回", "只能由用人单位更正单位信息后重新提交，您不能修改")
    expect(phone.locator("#return-reason")).to_have_text("退回原因：单位行业有误")
    expect(phone.locator("#destination-status")).not_to_contain_text("修改后重新提交")
    expect(phone.locator("#state-actions")).to_have_text("联系签约单位更正单位信息")
    expect(phone.locator("#destination-form")).to_have_count(0)
    expect(phone.locator("#submit-button")).to_have_count(0)

    context, school = _staff(browser, live_server, "school-a")
    school.goto(f"/staff/destinations/{destination.pk}/")
    _reads(school, "已网签 · 学校退回", "等待用人单位更正单位信息后重新提交")
    context.close()


def test_after_the_cutoff_the_graduate_reads_the_school_date(open_window, phone):
    world = open_window
    cutoff = timezone.localdate() - timedelta(days=2)
    SchoolPolicy.objects.filter(school=world.school).update(destination_cutoff_on=cutoff)
    _graduate(phone, world)
    _reads(phone, "已过登记截止日期", f"{cutoff:%Y年%m月%d日}")
    expect(phone.locator("#destination-form")).to_have_count(0)
    expect(phone.locator("#state-actions")).to_have_text("联系学校就业部门")
