"""The posting journey in real browsers: an employer (phone) creates and submits a posting,
the school's staff (desktop) approve it, the employer sees 已发布."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.jobs.models import Posting, PostingStatus
from tests.browser.conftest import login_staff
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_employer_posts_school_approves_employer_sees_published(world, phone, desktop):
    login_staff(phone, "employer", PASSWORD)
    phone.goto("/")
    phone.click("#employer-postings-link")
    phone.click("#new-posting")
    phone.fill("#f-title", "嵌入式软件工程师")
    phone.select_option("#category_code-select", "13")
    phone.fill("#f-openings", "2")
    phone.check("#f-education input[value='231']")
    phone.select_option("#place_1-province", label="安徽省")
    phone.select_option("#place_1-city", label="合肥市")
    phone.select_option("#place_1-county", label="蜀山区")
    expect(phone.locator("#place_1-value")).to_have_value("340104")
    phone.fill("#f-salary_min", "7000")
    phone.fill("#f-salary_max", "10000")
    phone.fill("#f-description", "负责嵌入式系统开发。<script>alert(1)</script>")
    phone.fill("#f-contact_name", "王经理")
    phone.fill("#f-contact_phone", "0551-12345678")
    phone.fill("#f-deadline", (timezone.localdate() + timedelta(days=20)).isoformat())
    phone.select_option("#f-channel", str(world.school.pk))
    phone.click("#posting-save")
    expect(phone.locator("[data-posting-state]").first).to_have_text("草稿")
    phone.click("#posting-submit")
    expect(phone.locator("#posting-state [data-posting-state]")).to_have_text("待审核")
    expect(phone.locator("#posting-state-text")).to_contain_text("安徽示例大学")
    posting = Posting.objects.get(title="嵌入式软件工程师")

    login_staff(desktop, "school-a", PASSWORD)
    desktop.goto("/staff/postings/")
    row = desktop.locator(f"#posting-queue tr[data-posting='{posting.pk}']")
    expect(row).to_contain_text("待审核")
    row.locator("a").click()
    expect(desktop.locator("#posting-description")).to_contain_text("<script>alert(1)</script>")
    desktop.click("#approve")
    expect(desktop.locator("[data-posting-state]").first).to_have_text("已发布")

    phone.goto("/employer/postings/")
    expect(phone.locator(f"[data-posting='{posting.pk}'] [data-posting-state]")).to_have_text("已发布")
    assert Posting.objects.get(pk=posting.pk).status == PostingStatus.PUBLISHED
