"""Issue 12's journey across all its parts, one browser context per party:

an employer registers on a phone (credit code, unit data, business licence, 省级认证) → the
province verifies it on a desktop → the employer logs in, posts 「软件工程师」 in the school's
channel and submits it → the school approves it → the graduate (phone) builds a resume from
empty, downloads its PDF, searches 工程师 on 职位信息, opens the posting and applies → the employer
opens the applicant (已查看) and invites to an interview; the graduate's page shows the time and
place → 录用 → 发起网签 from the applicant page (prefilled from the profile and the posting) →
the graduate finds the invitation in 网签邀约通知."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.applications.models import Application, ApplicationStatus
from apps.jobs.models import Posting, PostingStatus
from apps.organisations.models import Employer, EmployerStatus, SchoolPolicy
from apps.signing.models import Invitation
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, login_graduate, login_staff
from tests.factories import PASSWORD
from tests.signing.helpers import credit_code, make_ready

UNIT = "合肥远景软件有限公司"
LOGIN_NAME = "hr-yuanjing"
LOGIN_PASSWORD = "Yuanjing#2026hr"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


# A long journey on a shared, busy machine: more patience than the suite's 10 s / 5 s defaults.
PATIENCE_MS = 30_000


@pytest.fixture(autouse=True)
def patient_expect():
    expect.set_options(timeout=PATIENCE_MS)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the tests that follow


@pytest.fixture
def open_context(browser, live_server, request):
    """One more party: a separate browser context (no shared cookies), screenshot on failure."""
    opened = []

    def open_(name: str, options: dict):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
        context.set_default_timeout(PATIENCE_MS)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
        opened.append((name, context, page))
        return page

    yield open_
    rep = getattr(request.node, "rep_call", None)
    for name, context, page in opened:
        if rep is not None and rep.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)
        context.close()


def register_employer(page, *, code: str, licence) -> None:
    """单位注册 on a phone: account, unit data, the business licence, 省级认证."""
    page.goto("/employer/register/")
    page.fill("#username", LOGIN_NAME)
    page.fill("#password", LOGIN_PASSWORD)
    page.fill("#password_again", LOGIN_PASSWORD)
    page.fill("#credit_code", code)
    page.fill("#name", UNIT)
    page.select_option("#nature_code-select", "39")
    page.select_option("#industry_code-select", "34")
    page.wait_for_load_state("load")  # htmx must be running before the first change
    page.select_option("#division-province", label="安徽省")
    page.select_option("#division-city", label="合肥市")
    page.select_option("#division-county", label="蜀山区")
    expect(page.locator("#division-value")).to_have_value("340104")
    page.fill("#address", "合肥市蜀山区望江西路8号")
    page.select_option("#size", "50-299")
    page.fill("#contact_name", "陈经理")
    page.fill("#contact_mobile", "13955512345")
    page.set_input_files("#licence", str(licence))
    expect(page.locator("#licence-chosen")).to_contain_text("licence.png")
    page.select_option("#verifier", label="省级认证（安徽省，全省有效）")
    page.click("#register-submit")
    expect(page.locator("#employer-state-title")).to_have_text("待审核")


def create_posting(page, *, school) -> None:
    """职位管理 → 发布新职位 → 保存 → 提交审核, in the school's channel."""
    page.click("#employer-postings-link")
    page.click("#new-posting")
    page.fill("#f-title", "软件工程师")
    page.select_option("#category_code-select", "13")
    page.fill("#f-openings", "3")
    page.check("#f-education input[value='231']")
    page.wait_for_load_state("load")
    page.select_option("#place_1-province", label="安徽省")
    page.select_option("#place_1-city", label="合肥市")
    page.select_option("#place_1-county", label="蜀山区")
    expect(page.locator("#place_1-value")).to_have_value("340104")
    page.fill("#f-salary_min", "8000")
    page.fill("#f-salary_max", "12000")
    page.fill("#f-description", "负责业务系统的后端开发与维护，参与需求分析和接口设计。")
    page.fill("#f-contact_name", "陈经理")
    page.fill("#f-contact_phone", "0551-62901234")
    page.fill("#f-deadline", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.select_option("#f-channel", str(school.pk))
    page.click("#posting-save")
    expect(page.locator("[data-posting-state]").first).to_have_text("草稿")
    page.click("#posting-submit")
    expect(page.locator("#posting-state [data-posting-state]")).to_have_text("待审核")
    expect(page.locator("#posting-state-text")).to_contain_text(school.name)


def add_resume_item(page, section: str, **fields) -> None:
    page.click(f"[data-add={section}]")
    for name, value in fields.items():
        page.fill(f"#r-{name}", value)
    page.click("#save-item")
    expect(page.locator(f"#section-{section}")).to_contain_text(fields["title"])


def test_employer_registers_posts_graduate_applies_is_hired_and_finds_the_signing_invitation(
        world, phone, open_context, tmp_path):
    g = make_ready(world.graduate)
    yesterday = timezone.localdate() - timedelta(days=1)
    SchoolPolicy.objects.update_or_create(school=world.school, defaults={
        "signing_opens_on": yesterday, "termination_opens_on": yesterday})
    licence = tmp_path / "licence.png"
    Image.new("RGB", (640, 420), (235, 225, 200)).save(licence)
    code = credit_code("91340100MA2NJY8K3")
    phone.context.set_default_timeout(PATIENCE_MS)
    phone.set_default_timeout(PATIENCE_MS)
    phone.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions

    recruiter = open_context("recruiter", PHONE)
    province = open_context("province", DESKTOP)
    school = open_context("school", DESKTOP)
    office = open_context("employer-desktop", DESKTOP)

    # --- 1. the employer registers on a phone --------------------------------------------------------
    register_employer(recruiter, code=code, licence=licence)
    employer = Employer.objects.get(credit_code=code)
    assert employer.status == EmployerStatus.PENDING and employer.licence

    # --- 2. the province verifies it ------------------------------------------------------------------
    login_staff(province, "province", PASSWORD)
    province.goto("/staff/employers/")
    row = province.locator(f"tr[data-employer='{employer.pk}']")
    expect(row).to_contain_text(UNIT)
    expect(row).to_contain_text("待审核")
    row.get_by_role("link", name="审核").click()
    expect(province.locator("#employer-credit-code")).to_contain_text(code)
    province.wait_for_function("() => { const i = document.querySelector('#employer-licence-image');"
                               " return i && i.complete && i.naturalWidth > 0; }")
    province.click("#employer-approve")
    expect(province.locator("#employer-state-title")).to_have_text("已认证")

    # --- 3. the employer logs in (its office desktop), posts; the school approves ----------------------
    login_staff(office, LOGIN_NAME, LOGIN_PASSWORD)
    office.goto("/employer/")
    expect(office.locator("#employer-state-title")).to_have_text("已认证")
    create_posting(office, school=world.school)
    posting = Posting.objects.get(title="软件工程师", employer=employer)

    login_staff(school, "school-a", PASSWORD)
    school.goto("/staff/postings/")
    row = school.locator(f"#posting-queue tr[data-posting='{posting.pk}']")
    expect(row).to_contain_text("待审核")
    row.locator("a").click()
    school.click("#approve")
    expect(school.locator("[data-posting-state]").first).to_have_text("已发布")
    assert Posting.objects.get(pk=posting.pk).status == PostingStatus.PUBLISHED

    # --- 4. the graduate: a resume from empty to PDF, search 工程师, apply --------------------------------
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.goto("/me/")
    phone.click("#resume-entry")
    expect(phone.locator("#resume-basic")).to_contain_text("软件工程")
    add_resume_item(phone, "education", title="安徽示例大学", role="软件工程", level="本科",
                    start_month="2022-09", end_month="2026-06")
    phone.fill("#r-self-evaluation", "热爱编程，踏实肯干。")
    phone.click("#save-self-evaluation")
    expect(phone.locator("#section-education")).to_contain_text("安徽示例大学")
    phone.click("#resume-preview-link")
    expect(phone.locator("#resume-preview")).to_contain_text("热爱编程，踏实肯干。")
    with phone.expect_download() as download:
        phone.click("#resume-preview a:has-text('下载PDF简历')")
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")
    for expected in ("王小明", "教育经历", "安徽示例大学", "自我评价", "热爱编程"):
        assert expected in text, expected

    phone.goto("/services/")
    phone.click("#services-jobs")
    phone.fill("#q", "工程师")
    phone.click("#job-search-submit")
    result = phone.locator(f"#job-results [data-posting='{posting.pk}']")
    expect(result).to_contain_text("软件工程师")
    expect(result).to_contain_text(UNIT)
    result.click()
    expect(phone.locator("#posting-title")).to_have_text("软件工程师")
    phone.click("#apply-button")
    expect(phone.locator("#application-detail .application-status")).to_have_text("已投递")
    application = Application.objects.get(posting=posting, graduate=g)
    assert phone.url.endswith(f"/services/applications/{application.pk}/")

    # --- 5. the employer opens the applicant, invites to an interview ----------------------------------------
    office.goto("/employer/")
    office.click("#employer-applications-link")
    office.locator(f"[data-application='{application.pk}']").click()
    expect(office.locator("#application-detail .application-status")).to_have_text("已查看")
    expect(office.locator("#application-snapshot")).to_contain_text("热爱编程，踏实肯干。")
    phone.reload()
    expect(phone.locator("#application-detail .application-status")).to_have_text("已查看")

    interview_at = timezone.localtime() + timedelta(days=3)
    interview_at = interview_at.replace(hour=14, minute=30)
    office.fill("#interview_at", interview_at.strftime("%Y-%m-%dT%H:%M"))
    office.fill("#interview_place", "合肥市蜀山区望江西路8号三楼会议室")
    office.click("#advance-interview")
    expect(office.locator("#application-detail .application-status")).to_have_text("邀请面试")

    phone.reload()
    expect(phone.locator("#application-detail .application-status")).to_have_text("邀请面试")
    expect(phone.locator("#interview-at")).to_have_text(interview_at.strftime("%Y-%m-%d %H:%M"))
    expect(phone.locator("#interview-place")).to_have_text("合肥市蜀山区望江西路8号三楼会议室")

    # 录用, then 发起网签 from the applicant page: the form comes prefilled
    office.click("#advance-hired")
    expect(office.locator("#application-detail .application-status")).to_have_text("录用")
    office.click("#start-signing-from-application")
    expect(office.locator("[name=unit_name]")).to_have_value(UNIT)
    expect(office.locator("[name=credit_code]")).to_have_value(code)
    expect(office.locator("[name=position_name]")).to_have_value("软件工程师")
    expect(office.locator("#unit_division-value")).to_have_value("340104")
    office.fill("[name=contact_person]", "陈经理")
    office.fill("[name=contact_phone]", "0551-62901234")
    office.fill("[name=contract_years]", "3")
    office.select_option("[name=probation_type]", "probation")
    office.fill("[name=probation_months]", "3")
    office.fill("[name=monthly_pay]", "10000")
    office.fill("[name=social_insurance]", "五险一金")
    office.fill("[name=breach_penalty]", "5000")
    office.fill("[name=breach_conditions]", "毕业生无正当理由不报到")
    office.set_input_files("[name=certificate]", str(licence))
    office.click("#send-invitation")
    expect(office.locator("#invitation-status")).to_have_text("待确认")
    invitation = Invitation.objects.get(graduate=g)
    assert invitation.employer_id == employer.pk and invitation.position_name == "软件工程师"

    # --- the graduate: 录用 on the application page, the invitation in 网签 --------------------------------
    phone.reload()
    expect(phone.locator("#application-detail .application-status")).to_have_text("录用")
    phone.click("#application-detail [data-action=invitations]")  # 查看网签邀约
    expect(phone.locator("h1")).to_have_text("网签邀约通知")
    phone.goto("/register/")  # and from the 登记 tab, as the hired text says
    phone.click("#invitations-link")
    item = phone.locator(f".invitation[data-invitation-id='{invitation.pk}']")
    expect(item).to_contain_text(UNIT)
    expect(item).to_contain_text("软件工程师")
    expect(item.locator(".invitation-status")).to_have_text("待确认")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.HIRED
