"""生源确认 on a phone: the graduate completes and confirms 生源信息."""

from __future__ import annotations

from playwright.sync_api import expect

from apps.graduates.models import Graduate
from tests.browser.conftest import login_graduate


def test_graduate_completes_and_confirms_origin_on_a_phone(world, phone):
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.click("nav.tabbar >> text=登记")
    phone.click("text=生源信息")
    expect(phone.locator("#origin-status")).to_contain_text("未确认")
    # grey roster fields, masked ID number, a 去纠错 link beside each
    expect(phone.locator("[data-field=id_number]")).to_have_text(g.masked_id_number)
    expect(phone.locator("[data-correct=name]")).to_have_text("去纠错")
    # a city alone is refused; htmx must be running before the first change event
    phone.wait_for_load_state("load")
    phone.select_option("#origin_division-province", "340000")
    expect(phone.locator("#origin_division-city")).to_be_enabled()
    phone.select_option("#origin_division-city", "340100")
    expect(phone.locator("#origin_division-chosen")).to_contain_text("请选择到区县")
    phone.fill("#f-phone", "138 1234 5678")
    phone.click("#confirm-origin")
    expect(phone.locator("#form-error")).to_contain_text("具体的区县")
    # take the suggestion from the ID number
    phone.click("#use-suggestion")
    expect(phone.locator("#origin_division-chosen")).to_contain_text("安徽省合肥市蜀山区")
    phone.fill("#f-phone", "13812345678")
    phone.fill("#f-family_contact_name", "王大山")
    phone.fill("#f-family_contact_relation", "父亲")
    phone.fill("#f-family_contact_phone", "13998765432")
    phone.click("#confirm-origin")
    expect(phone.locator("#origin-status")).to_contain_text("已确认")
    expect(phone.get_by_text("生源信息已确认")).to_be_visible()
    saved = Graduate.objects.get(pk=g.pk)
    assert saved.origin_division_id == "340104" and saved.phone == "13812345678" and saved.origin_confirmed
    phone.goto("/me/history/")
    expect(phone.locator("#history")).to_contain_text("确认生源信息")
    expect(phone.locator("#history")).to_contain_text("138****5678")
