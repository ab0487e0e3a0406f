"""就业推荐表 end to end: the graduate (phone) asks for the form, the college staff (desktop) write
the opinion and issue it, the graduate downloads the PDF; the public verification page opened
with the code says 就业推荐表 · 有效; after a reissue the old code says 已作废, the new one 有效."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.recommendations.models import RecommendationForm
from apps.recommendations.models import RecommendationStatus as S
from tests.browser.conftest import login_graduate, login_staff
from tests.factories import PASSWORD, use_temporary_media


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    use_temporary_media(settings, tmp_path)


def _issue_on_desktop(desktop, graduate, opinion: str) -> None:
    desktop.click("aside >> text=就业推荐表")
    row = desktop.locator("#rec-table tr", has_text=graduate.name)
    expect(row).to_contain_text("待院系填写")
    row.get_by_role("link", name="填写并签发").click()
    expect(desktop.locator("#rec-content")).to_contain_text(graduate.name)
    desktop.fill("#i-opinion", opinion)
    desktop.fill("#i-reviewer", "张老师")
    desktop.on("dialog", lambda dialog: dialog.accept())  # 重新签发 asks first (data-confirm)
    desktop.click("#issue")


def test_request_issue_download_verify_and_reissue(world, phone, desktop):
    g = world.graduate

    # the graduate, on a phone: 我的 → 就业推荐表 → 申请
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.goto("/me/")
    phone.click("#recommendation-entry")
    expect(phone.locator("#rec-state-title")).to_have_text("未申请")
    phone.click("#rec-action-request")
    expect(phone.locator("#rec-state-title")).to_have_text("待院系填写")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # the college staff, on a desktop: the queue → the form → 签发
    login_staff(desktop, "college-a1", PASSWORD)
    _issue_on_desktop(desktop, g, "该生学习刻苦，品学兼优，同意推荐。")
    expect(desktop.locator("#rec-state-title")).to_have_text("已签发")
    first = RecommendationForm.objects.get(graduate=g, status=S.ISSUED)
    expect(desktop.locator("#rec-current-code")).to_have_text(first.verification_code)

    # the graduate downloads the PDF
    phone.reload()
    expect(phone.locator("#rec-state-title")).to_have_text("已签发")
    expect(phone.locator("#rec-state-text")).to_contain_text(first.verification_code)
    with phone.expect_download() as download:
        phone.click("#rec-action-download")
    data = open(download.value.path(), "rb").read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "毕业生就业推荐表" in text and first.verification_code in text and g.id_number not in text

    # anyone opens the verification page with the code
    desktop.goto("/verify/")
    desktop.fill("#verify-code-input", first.verification_code)
    desktop.click("#verify-code-form button[type=submit]")
    expect(desktop.locator("#verify-document")).to_have_text("就业推荐表")
    expect(desktop.locator("#verify-status")).to_have_text("有效")
    expect(desktop.locator("#verify-name")).to_have_text("王*明")
    expect(desktop.locator("h1")).to_have_text("就业推荐表验证")

    # the graduate asks for a reissue, the college reissues: the old code is void
    phone.click("#rec-action-request")
    expect(phone.locator("#rec-state-title")).to_have_text("待院系填写")
    expect(phone.locator("#rec-issued-code")).to_have_text(first.verification_code)  # still valid meanwhile
    desktop.goto("/staff/")
    _issue_on_desktop(desktop, g, "更新：该生获校级一等奖学金，同意推荐。")
    expect(desktop.locator("#rec-history")).to_contain_text("已作废")
    second = RecommendationForm.objects.get(graduate=g, status=S.ISSUED)
    assert second.pk != first.pk

    desktop.goto(f"/verify/{first.verification_code}/")
    expect(desktop.locator("#verify-status")).to_have_text("已作废")
    expect(desktop.locator("#verify-void")).to_contain_text("新的推荐表替代")
    desktop.goto(f"/verify/{second.verification_code}/")
    expect(desktop.locator("#verify-status")).to_have_text("有效")
