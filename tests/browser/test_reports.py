"""举报 end to end: a graduate (phone) reports a posting from its page with a picture, the school
admin (desktop) takes the posting down, the graduate reads the outcome and the posting is gone
from the search."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from apps.jobs.selectors import open_postings
from apps.reports.models import FraudReport
from apps.reports.reasons import HOTLINE
from tests.browser.conftest import login_graduate, login_staff
from tests.factories import PASSWORD
from tests.reports.conftest import make_posting


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


def test_graduate_reports_a_posting_school_takes_it_down_graduate_sees_the_outcome(world, phone, desktop, tmp_path):
    posting = make_posting(world.employer, school=world.school, title="高薪客服专员")
    photo = tmp_path / "chat.png"
    Image.new("RGB", (300, 200), (230, 240, 250)).save(photo)
    g = world.graduate

    # the graduate, on a phone: from the posting's page to the report form
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.goto(f"/services/jobs/{posting.pk}/")
    phone.click("#report-posting")
    expect(phone.locator("#report-hotline")).to_contain_text(HOTLINE)
    expect(phone.locator("#target-posting")).to_have_text("高薪客服专员")
    expect(phone.locator("#target-employer")).to_have_text(world.employer.name)
    phone.check("input[name=reason][value=fee]")
    phone.fill("#r-details", "面试时要求先交800元服装费，说入职后退还。")
    phone.set_input_files("#r-images", str(photo))
    expect(phone.locator("#r-images-chosen")).to_contain_text("chat.png")
    phone.click("#submit-report")
    expect(phone.locator("#report-state-title")).to_have_text("待处理")
    expect(phone.locator("#report-images img")).to_have_count(1)
    phone.wait_for_function("() => { const i = document.querySelector('#report-images img');"
                            " return i.complete && i.naturalWidth === 300; }")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    report = FraudReport.objects.get()

    # the school admin, on a desktop
    login_staff(desktop, "school-a", PASSWORD)
    desktop.click("aside >> text=举报处理")
    row = desktop.locator(f"tr[data-report='{report.pk}']")
    expect(row).to_contain_text(g.name)
    expect(row).to_contain_text("收取费用")
    row.get_by_role("link", name="处理").click()
    expect(desktop.locator("#report-images img")).to_have_count(1)
    expect(desktop.locator("#report-details")).to_contain_text("800元服装费")
    desktop.select_option("#d-outcome", "posting_taken_down")
    desktop.fill("#d-note", "已电话核实，该单位以服装费名义收费")
    desktop.click("#decide")
    expect(desktop.locator("#report-state-title")).to_have_text("职位已下架")
    assert not open_postings().filter(pk=posting.pk).exists()

    # the graduate reads the outcome
    phone.goto("/services/reports/")
    item = phone.locator(f"[data-report='{report.pk}']")
    expect(item).to_contain_text("职位已下架")
    item.click()
    expect(phone.locator("#report-state-text")).to_contain_text("已电话核实，该单位以服装费名义收费")
