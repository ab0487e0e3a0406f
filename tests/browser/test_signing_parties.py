"""网络签约 between two phones: the graduate shows the 二维码名片, the recruiter opens its link
(no account), checks the graduate, fills the terms with the certificate photo and sends
邀约确认; the graduate accepts within the 60-second window with the signing PIN and sees
签约成功，待学校审核; the recruiter's follow page then shows 已接受."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.organisations.models import SchoolPolicy
from apps.signing.models import Agreement, Invitation
from tests.browser.conftest import ARTIFACTS, PHONE, fill_invitation_form, login_graduate
from tests.signing.helpers import PIN, credit_code, make_ready


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def recruiter(browser, live_server, request):
    """The employer's phone: a second, separate browser context (no shared cookies)."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-recruiter.png"), full_page=True)
    context.close()


def test_graduate_and_recruiter_sign_online_on_two_phones(world, phone, recruiter, live_server, tmp_path):
    g = make_ready(world.graduate)
    SchoolPolicy.objects.update_or_create(school=world.school,
                                          defaults={"signing_opens_on": timezone.localdate() - timedelta(days=1)})
    certificate = tmp_path / "licence.png"
    Image.new("RGB", (640, 420), (250, 250, 245)).save(certificate)

    # the graduate opens 二维码名片 from 我的
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.goto("/me/")
    phone.click("text=二维码名片")
    card = phone.locator("#signing-card")
    expect(card).to_contain_text("王小明")
    expect(card).to_contain_text(g.masked_id_number)
    expect(phone.locator("#card-code")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    phone.wait_for_function("() => { const i = document.querySelector('#card-qr'); return i.complete && i.naturalWidth > 0; }")
    assert phone.locator("#card-unmet").count() == 0
    link = phone.locator("#card-link").get_attribute("href")
    assert link.startswith(f"{live_server.url}/sign/c/")  # absolute, for the recruiter's phone

    # the recruiter scans it: step 1, the graduate shown masked
    recruiter.goto(link)
    check = recruiter.locator("#graduate-check")
    expect(check).to_contain_text("王小明")
    expect(check).to_contain_text("安徽示例大学")
    expect(check).to_contain_text(g.masked_id_number)
    assert g.id_number not in recruiter.content() and g.phone not in recruiter.content()
    recruiter.click("#start-invitation")

    # step 2: unit, contact, contract and breach terms, the certificate → 邀约确认
    fill_invitation_form(recruiter, unit_name="合肥示例科技有限公司", credit_code=credit_code(), certificate=certificate)
    recruiter.check("[name=accepts_archive]")
    recruiter.fill("[name=remarks]", "提供员工宿舍")
    assert recruiter.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    recruiter.click("#send-invitation")
    expect(recruiter.locator("#invitation-status")).to_have_text("待确认")
    expect(recruiter.locator("#follow-bookmark")).to_contain_text("收藏")
    expect(recruiter.locator("#withdraw-button")).to_be_visible()
    follow_url = recruiter.url
    invitation = Invitation.objects.get()

    # the graduate sees the invitation, accepts, and confirms with the PIN within 60 seconds
    phone.goto("/register/")
    phone.click("text=网签邀约通知")
    row = phone.locator(f".invitation[data-invitation-id='{invitation.pk}']")
    expect(row).to_contain_text("合肥示例科技有限公司")
    expect(row).to_contain_text("软件工程师")
    expect(row).to_contain_text("待确认")
    expect(phone.locator("#invitations-note")).to_contain_text("只能与一家单位签约")
    row.click()
    expect(phone.locator("#terms")).to_contain_text("毕业生无正当理由不报到")
    phone.click("#accept-button")
    countdown = phone.locator("#countdown")
    expect(countdown).to_be_visible()
    seconds = int(countdown.inner_text())
    assert 0 < seconds <= 60
    phone.wait_for_function(f"() => parseInt(document.querySelector('#countdown').textContent, 10) < {seconds}")
    warning = phone.locator("#binding-warning")
    expect(warning).to_contain_text("不受院校的审核状态的影响")
    expect(warning).to_contain_text("不干涉毕业生与用人单位已签的协议")
    phone.fill("#signing-pin", PIN)
    phone.click("#confirm-button")
    expect(phone.locator("#agreement-status")).to_have_text("签约成功，待学校审核")
    agreement = Agreement.objects.get()
    expect(phone.locator("#agreement-number")).to_have_text(agreement.number)

    # the recruiter's follow link shows the acceptance
    recruiter.goto(follow_url)
    expect(recruiter.locator("#invitation-status")).to_have_text("已接受")
    expect(recruiter.locator("#agreement-review-status")).to_have_text("签约成功，待学校审核")
    expect(recruiter.locator("#withdraw-button")).to_have_count(0)
