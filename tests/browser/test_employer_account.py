"""单位注册与认证 end to end: an employer registers on a phone (fills the form, uploads the
business licence), the province staff verify it on a desktop, and the employer sees 已认证."""

from __future__ import annotations

import pytest
from django.test import Client
from PIL import Image
from playwright.sync_api import expect
from stdnum.cn import uscc

from apps.organisations.models import Employer, EmployerStatus
from tests.browser.conftest import login_staff
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


def test_employer_registers_on_a_phone_and_the_province_verifies_it(world, phone, desktop, tmp_path):
    licence = tmp_path / "licence.png"
    Image.new("RGB", (640, 420), (235, 225, 200)).save(licence)
    body = "91340100MA2NBRW1X"
    credit_code = body + uscc.calc_check_digit(body)

    # the division picker's snapshot is built by the first request (seconds on a busy machine)
    assert Client().get("/employer/register/").status_code == 200

    # the recruiter, on a phone
    phone.goto("/employer/register/")
    phone.fill("#username", "hr-chen")
    phone.fill("#password", "Anhui#2026pass")
    phone.fill("#password_again", "Anhui#2026pass")
    phone.fill("#credit_code", credit_code)
    phone.fill("#name", "合肥远景软件有限公司")
    phone.select_option("#nature_code-select", "39")
    phone.select_option("#industry_code-select", "34")
    phone.wait_for_load_state("load")  # htmx must be running before the first change
    phone.select_option("#division-province", label="安徽省")
    phone.select_option("#division-city", label="合肥市")
    phone.select_option("#division-county", label="蜀山区")
    expect(phone.locator("#division-value")).to_have_value("340104")
    phone.fill("#address", "合肥市蜀山区望江西路8号")
    phone.select_option("#size", "50-299")
    phone.fill("#contact_name", "陈经理")
    phone.fill("#contact_mobile", "13955512345")
    phone.set_input_files("#licence", str(licence))
    expect(phone.locator("#licence-chosen")).to_contain_text("licence.png")
    phone.select_option("#verifier", label="省级认证（安徽省，全省有效）")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.click("#register-submit")
    expect(phone.locator("#employer-state-title")).to_have_text("待审核")
    employer = Employer.objects.get(credit_code=credit_code)
    assert employer.status == EmployerStatus.PENDING and employer.licence

    # the province staff, on a desktop
    login_staff(desktop, "province", PASSWORD)
    desktop.click("aside >> text=单位认证")
    row = desktop.locator(f"tr[data-employer='{employer.pk}']")
    expect(row).to_contain_text("合肥远景软件有限公司")
    expect(row).to_contain_text("待审核")
    row.get_by_role("link", name="审核").click()
    expect(desktop.locator("#employer-credit-code")).to_contain_text(credit_code)
    desktop.wait_for_function("() => { const i = document.querySelector('#employer-licence-image');"
                              " return i && i.complete && i.naturalWidth > 0; }")
    desktop.click("#employer-approve")
    expect(desktop.locator("#employer-state-title")).to_have_text("已认证")

    # the recruiter sees it at once
    phone.goto("/employer/")
    expect(phone.locator("#employer-state-title")).to_have_text("已认证")
    phone.click("#employer-profile-link")
    expect(phone.locator("#employer-state-text")).to_contain_text("省级认证")
