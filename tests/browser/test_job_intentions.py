"""On a phone: the graduate fills in 求职意向职位 from 我的 and sees the matching postings,
best first, with the reasons they match."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.jobs.models import JobIntention
from tests.browser.conftest import login_graduate
from tests.jobs.intentions.conftest import make_posting


@pytest.mark.browser
def test_graduate_sets_intentions_and_sees_matching_postings(world, phone):
    def posting_factory(**kw):
        kw.setdefault("school", world.school)
        return make_posting(world.employer, **kw)

    now = timezone.now()
    best = posting_factory(title="后端开发工程师", county="340104", salary=(8000, 10000),
                           published_at=now - timedelta(days=2))
    posting_factory(title="合肥会计", category_code="21", county="340102", industry_code="35", nature_code="31",
                    salary=(3000, 4000), published_at=now)
    posting_factory(title="南京厨师", category_code="40", county="320102", industry_code="33", nature_code="31",
                    salary=(3000, 4000))
    g = world.graduate

    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.goto("/me/")
    phone.click("#intentions-entry")
    expect(phone.locator("#intention-state")).to_contain_text("尚未填写求职意向")

    phone.click("#category_codes-box summary")
    phone.get_by_label("工程技术人员").check()
    phone.fill("#place-filter", "合肥")  # one match left: chosen at once
    expect(phone.locator("#place-add")).to_have_value("3401")
    phone.select_option("#salary-band", label="8000–12000元")
    phone.check("#notify")
    expect(phone.locator("label.switch")).to_contain_text("每天最多一条")
    phone.click("#save-intention")

    expect(phone.locator(".alert.success")).to_contain_text("求职意向已保存")
    expect(phone.locator("#intention-state")).to_contain_text("新职位提醒已开启")
    matches = phone.locator("#matches article.match")
    expect(matches).to_have_count(2)
    first = matches.nth(0)
    expect(first).to_contain_text("后端开发工程师")
    expect(first.locator(".match-reasons li")).to_have_text(["职位类别：工程技术人员", "地点：合肥市", "薪资符合期望"])
    expect(matches.nth(1)).to_contain_text("合肥会计")
    expect(matches.nth(1).locator(".match-reasons li")).to_have_text(["地点：合肥市"])
    expect(phone.locator("#chosen-places")).to_contain_text("安徽省合肥市")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    stored = JobIntention.objects.get(graduate=g)
    assert stored.category_codes == ["13"] and stored.place_codes == ["3401"] and stored.notify

    first.locator("a.match-title").click()
    expect(phone).to_have_url(re.compile(rf"/services/jobs/{best.pk}/$"))
    expect(phone.locator("h1")).to_have_text("后端开发工程师")
