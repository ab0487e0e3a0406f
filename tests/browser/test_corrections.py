"""去纠错 end to end: the graduate reports a wrong 民族 on a phone, the school admin accepts it
on a desktop, and the graduate sees the new value on 生源信息."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from apps.corrections.models import Correction
from apps.graduates.models import Graduate
from tests.browser.conftest import login_graduate, login_staff
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


def test_graduate_corrects_ethnicity_and_school_admin_accepts(world, phone, desktop, tmp_path):
    photo = tmp_path / "hukou.png"
    Image.new("RGB", (320, 200), (240, 240, 230)).save(photo)
    g = world.graduate

    # the graduate, on a phone
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.goto("/register/origin/")
    phone.click("[data-correct=ethnicity_code]")
    expect(phone.locator("#c-kind")).to_have_text("基本信息")
    expect(phone.locator("#c-field")).to_have_text("民族")
    expect(phone.locator("#c-current")).to_have_text("（空）")
    phone.select_option("#proposed_value-select", label="回族")
    phone.fill("#c-explanation", "户口簿上登记为回族，学籍信息录入有误")
    phone.set_input_files("#c-images", str(photo))
    phone.click("#submit-correction")
    expect(phone.locator("#correction-status")).to_contain_text("待处理")
    expect(phone.locator(".promise")).to_contain_text("预计2-3个工作日内处理，最晚")
    expect(phone.locator("#correction-images img")).to_have_count(1)
    phone.locator("#correction-images img").scroll_into_view_if_needed()
    # the picture is served (permission-checked) and decodes in the browser
    phone.wait_for_function("() => { const i = document.querySelector('#correction-images img');"
                            " return i.complete && i.naturalWidth === 320; }")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    correction = Correction.objects.get()

    # the school admin, on a desktop
    login_staff(desktop, "school-a", PASSWORD)
    desktop.click("aside >> text=信息纠错")
    row = desktop.locator(f"tr[data-correction='{correction.pk}']")
    expect(row).to_contain_text(g.name)
    expect(row).to_contain_text("基本信息 · 民族")
    expect(row).to_contain_text("回族")
    row.get_by_role("link", name="处理").click()
    expect(desktop.locator("#correction-images img")).to_have_count(1)
    desktop.fill("#accept-note", "已核对户口簿")
    desktop.click("#accept")
    expect(desktop.get_by_text(f"已采纳信息反馈#{correction.pk}")).to_be_visible()
    expect(desktop.locator("#no-corrections")).to_be_visible()
    assert Graduate.objects.get(pk=g.pk).ethnicity_code == "03"

    # the graduate reloads 生源信息 and sees the new value; the list shows the reply
    phone.goto("/register/origin/")
    expect(phone.locator("[data-field=ethnicity_code]")).to_have_text("回族")
    phone.goto("/register/")
    phone.click("text=毕业生信息反馈")
    expect(phone.locator(f"[data-correction='{correction.pk}']")).to_contain_text("已采纳")
    expect(phone.locator(f"[data-correction='{correction.pk}']")).to_contain_text("老师回复：已核对户口簿")
