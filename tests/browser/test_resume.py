"""简历维护 end to end on a phone: from an empty resume to the PDF download — education, an
internship, two skills reordered, one deleted, the self-evaluation — and the employer finds
it in 人才查找 (contact masked) once the graduate allows it."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import login_graduate, login_staff
from tests.factories import PASSWORD


def add_item(page, section: str, **fields):
    page.click(f"[data-add={section}]")
    for name, value in fields.items():
        page.fill(f"#r-{name}", value)
    page.click("#save-item")
    expect(page.locator(f"#section-{section}")).to_contain_text(fields["title"])


def test_graduate_builds_a_resume_from_empty_to_pdf(world, phone, desktop):
    g = world.graduate
    g.phone = "13912345678"
    g.save()
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.goto("/me/")
    phone.click("#resume-entry")
    expect(phone.locator("#resume-percent")).to_have_text("完整度 20%")
    expect(phone.locator("#resume-basic")).to_contain_text("软件工程")

    add_item(phone, "education", title="安徽示例大学", role="软件工程", level="本科", start_month="2022-09",
             end_month="2026-06")
    # a wrong period is refused on the form, with the typed values kept
    phone.click("[data-add=experience]")
    phone.fill("#r-title", "合肥示例科技有限公司")
    phone.fill("#r-role", "后端开发实习生")
    phone.fill("#r-start_month", "2025-09")
    phone.fill("#r-end_month", "2025-07")
    phone.click("#save-item")
    expect(phone.locator("#error-end_month")).to_have_text("结束年月不能早于开始年月")
    phone.fill("#r-end_month", "")
    phone.fill("#r-description", "参与接口开发与测试")
    phone.click("#save-item")
    expect(phone.locator("#section-experience")).to_contain_text("2025-09 – 至今")

    add_item(phone, "software", title="办公软件", level="熟练")
    add_item(phone, "software", title="数据库", level="熟悉")
    skills = phone.locator("#section-software .entry-title")
    expect(skills).to_have_text(["办公软件", "数据库"])
    phone.locator("#section-software .resume-entry").nth(1).locator("[data-move=up]").click()
    expect(skills).to_have_text(["数据库", "办公软件"])
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.locator("#section-software .resume-entry").nth(1).get_by_role("button", name="删除").click()
    expect(skills).to_have_text(["数据库"])

    phone.fill("#r-self-evaluation", "踏实肯干，乐于学习。")
    phone.click("#save-self-evaluation")
    expect(phone.locator("#resume-percent")).to_have_text("完整度 100%")
    expect(phone.locator("#resume-missing")).to_have_text("简历已完整")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone.click("#resume-preview-link")
    expect(phone.locator("#resume-preview")).to_contain_text("踏实肯干，乐于学习。")
    with phone.expect_download() as download:
        phone.click("#resume-preview a:has-text('下载PDF简历')")
    assert download.value.suggested_filename == "简历-王小明.pdf"
    data = open(download.value.path(), "rb").read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")
    for expected in ("王小明", "教育经历", "实习与工作经历", "计算机与软件", "数据库", "自我评价"):
        assert expected in text, expected
    assert "办公软件" not in text  # deleted

    # allowed to be found: the verified employer sees it, the phone number masked
    phone.goto("/me/resume/")
    phone.click("#visibility-show")
    expect(phone.locator("#visibility-state")).to_have_text("已允许已认证单位查找")
    login_staff(desktop, "employer", PASSWORD)
    desktop.goto("/employer/resumes/")
    desktop.fill("#f-major", "软件")
    desktop.click("#resume-search")
    desktop.click("#resume-results a.resume-row:has-text('王小明')")
    expect(desktop.locator(".resume-contact")).to_contain_text("139****5678")
    expect(desktop.locator("#employer-resume")).not_to_contain_text("13912345678")
