"""毕业去向登记 in a real browser: the graduate on a phone, reviewers on a desktop."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.destinations.models import Destination, DestinationStatus
from apps.organisations.models import SchoolPolicy
from tests.browser.conftest import DESKTOP, choose_destination_category, login_graduate, login_staff
from tests.factories import PASSWORD

VALID_CREDIT_CODE = "91340100MA2N8Q7K0C"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def open_window(world):
    """The schools keep registration open (the default cut-off may lie behind the calendar)."""
    SchoolPolicy.objects.update_or_create(
        school=world.school, defaults={"destination_cutoff_on": timezone.localdate() + timedelta(days=60)})
    return world


def _photos(tmp_path, n):
    paths = []
    for i in range(n):
        path = tmp_path / f"证明{i + 1}.jpg"
        image = Image.new("RGB", (1200, 900), (240, 240 - i * 40, 230))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        path.write_bytes(buffer.getvalue())
        paths.append(str(path))
    return paths


def _graduate_opens_the_form(phone, world):
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number,
                   id_number=g.id_number)
    expect(phone.locator("nav.tabbar a.active")).to_have_text("首页")
    phone.click("nav.tabbar >> text=登记")
    phone.click("#destination-link")
    expect(phone.locator("#status-badge")).to_have_text("未登记")
    expect(phone.locator("#destination-notes")).to_contain_text("准备网签的毕业生，无需本人在此页面中登记毕业去向")


def _pick_county(phone, field):
    phone.fill(f"#{field}-search", "蜀山")
    phone.click(f"#{field}-results button:has-text('安徽省合肥市蜀山区')")
    expect(phone.locator(f"#{field}-value")).to_have_value("340104")


def _fill_labour_contract(phone, unit_name="合肥示例科技有限公司"):
    choose_destination_category(phone, "11")
    expect(phone.locator("label[for=f-unit_name]")).to_have_class("required")
    phone.fill("#f-unit_name", unit_name)
    phone.fill("#f-credit_code", VALID_CREDIT_CODE)
    phone.select_option("#unit_nature_code-select", label="其他企业")
    phone.select_option("#industry_code-select", label="信息传输、软件和信息技术服务业")
    _pick_county(phone, "unit_division")
    phone.fill("#f-unit_address", "安徽省合肥市蜀山区黄山路100号")
    phone.select_option("#position_category_code-select", index=1)
    phone.fill("#f-sign_date", "2026-05-20")
    phone.fill("#f-unit_contact", "张经理")
    phone.fill("#f-unit_contact_phone", "0551-62901234")


def _upload(phone, paths, expected_count):
    phone.set_input_files("#file-input", paths)
    expect(phone.locator("#image-count")).to_have_text(f"{expected_count}/4")


def _staff_page(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_staff(page, username, PASSWORD)
    page.wait_for_url("**/staff/")
    return context, page


def _open_in_queue(page, name):
    page.click("text=去向审核")
    expect(page.locator("h1")).to_have_text("毕业去向审核")
    page.click(f"#destination-table a:has-text('{name}')")
    expect(page.locator("#destination-fields")).to_be_visible()


def test_register_with_proof_and_two_level_approval(open_window, phone, browser, live_server, tmp_path):
    world = open_window
    _graduate_opens_the_form(phone, world)
    _fill_labour_contract(phone)
    expect(phone.locator("#proof-rule")).to_contain_text("劳动合同")
    expect(phone.locator("#four-donts")).to_contain_text("实习证明、见习证明不能作为就业证明材料")
    phone.click("#save-button")
    expect(phone.locator("#status-badge")).to_have_text("未提交")

    # three photos from the album, one deleted again
    expect(phone.locator("#camera-input")).to_have_attribute("capture", "environment")
    _upload(phone, _photos(tmp_path, 3), 3)
    expect(phone.locator("#proof-images img")).to_have_count(3)
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.locator(".delete-image").first.click()
    expect(phone.locator("#image-count")).to_have_text("2/4")
    # the thumbnails come through the permission-checked view and decode
    phone.wait_for_function("() => [...document.querySelectorAll('#proof-images img')]"
                            ".every(i => i.complete && i.naturalWidth > 0)")
    phone.click("#submit-button")
    expect(phone.locator("#status-badge")).to_have_text("待审核")
    expect(phone.locator("#destination-form")).to_have_count(0)
    expect(phone.locator(".delete-image")).to_have_count(0)

    # 初审 by the college
    context, college = _staff_page(browser, live_server, "college-a1")
    _open_in_queue(college, world.graduate.name)
    expect(college.locator("#destination-fields")).to_contain_text("合肥示例科技有限公司")
    expect(college.locator("#destination-fields")).to_contain_text("安徽省合肥市蜀山区")
    expect(college.locator("#proof .proof-thumb")).to_have_count(2)
    college.locator("#proof .proof-thumb").first.click()
    expect(college.locator("#image-viewer")).to_be_visible()
    college.locator("#image-viewer").click()
    expect(college.locator("#image-viewer")).to_be_hidden()
    college.click("#approve-button")
    expect(college.locator(".alert.success")).to_contain_text("初审通过")
    context.close()

    # 终审 by the school
    context, school = _staff_page(browser, live_server, "school-a")
    _open_in_queue(school, world.graduate.name)
    expect(school.locator("#status-badge")).to_have_text("初审通过")
    school.click("#approve-button")
    expect(school.locator(".alert.success")).to_contain_text("审核通过")
    context.close()

    phone.reload()
    expect(phone.locator("#status-badge")).to_have_text("审核通过")
    expect(phone.locator("#destination-form")).to_have_count(0)
    expect(phone.locator("#upload-form")).to_have_count(0)
    expect(phone.locator("#submit-button")).to_have_count(0)
    expect(phone.locator("#destination-readonly")).to_contain_text("合肥示例科技有限公司")
    expect(phone.locator("#destination-history")).to_contain_text("毕业去向审核通过")
    assert Destination.objects.get(graduate=world.graduate).status == DestinationStatus.SCHOOL_APPROVED


def test_return_edit_and_resubmit(open_window, phone, browser, live_server, tmp_path):
    world = open_window
    _graduate_opens_the_form(phone, world)
    _fill_labour_contract(phone, unit_name="合肥旧名称有限公司")
    phone.click("#save-button")
    _upload(phone, _photos(tmp_path, 1), 1)
    phone.click("#submit-button")
    expect(phone.locator("#status-badge")).to_have_text("待审核")

    context, college = _staff_page(browser, live_server, "college-a1")
    _open_in_queue(college, world.graduate.name)
    college.once("dialog", lambda dialog: dialog.accept())
    college.click("#return-button")  # no reason: stays on the page
    expect(college.locator("#f-reason")).to_be_focused()
    college.fill("#f-reason", "单位名称与劳动合同不一致，请核对")
    college.click("#return-button")
    expect(college.locator(".alert.success")).to_contain_text("已退回")

    phone.reload()
    expect(phone.locator("#status-badge")).to_have_text("退回")
    expect(phone.locator("#return-reason")).to_contain_text("单位名称与劳动合同不一致，请核对")
    expect(phone.locator("#f-unit_name")).to_have_value("合肥旧名称有限公司")
    phone.fill("#f-unit_name", "合肥新名称有限公司")
    phone.click("#save-button")
    expect(phone.locator(".alert.success")).to_contain_text("已保存")
    expect(phone.locator("#status-badge")).to_have_text("退回")
    phone.click("#submit-button")
    expect(phone.locator("#status-badge")).to_have_text("待审核")
    expect(phone.locator("#return-reason")).to_have_count(0)

    college.goto("/staff/destinations/")
    expect(college.locator("#destination-table")).to_contain_text("合肥新名称有限公司")
    college.check(f"#destination-table tr:has-text('{world.graduate.name}') input[name=ids]")
    college.once("dialog", lambda dialog: dialog.accept())
    college.click("#batch-approve")
    expect(college.locator(".alert.success")).to_contain_text("已批量通过1条记录")
    context.close()
    assert Destination.objects.get(graduate=world.graduate).status == DestinationStatus.COLLEGE_APPROVED


def test_domestic_study_registration(open_window, phone, tmp_path):
    world = open_window
    _graduate_opens_the_form(phone, world)
    choose_destination_category(phone, "801")
    expect(phone.locator("label[for=f-study_school]")).to_have_text("升学院校")
    expect(phone.locator("#f-unit_name")).to_have_count(0)
    expect(phone.locator("#proof-rule")).to_contain_text("研究生录取通知书")
    phone.click("#save-button")  # nothing filled: refused, fields named
    expect(phone.locator("#study_school-error")).to_have_text("请填写升学院校")
    expect(phone.locator("#unit_division-error")).to_have_text("请填写升学院校所在地")
    phone.fill("#f-study_school", "中国科学技术大学")
    phone.fill("#f-study_major", "计算机科学与技术")
    _pick_county(phone, "unit_division")
    phone.click("#save-button")
    expect(phone.locator("#status-badge")).to_have_text("未提交")
    phone.click("#submit-button")  # no proof yet
    expect(phone.locator(".alert.error[role=alert]")).to_contain_text("请上传就业证明材料：研究生录取通知书")
    _upload(phone, _photos(tmp_path, 1), 1)
    phone.click("#submit-button")
    expect(phone.locator("#status-badge")).to_have_text("待审核")
    expect(phone.locator("#destination-readonly")).to_contain_text("中国科学技术大学")
    d = Destination.objects.get(graduate=world.graduate)
    assert (d.category_code, d.study_major, d.unit_division_id) == ("801", "计算机科学与技术", "340104")
