"""档案转寄登记 end to end: the graduate registers from the defaults on a phone, the school
admin exports the mailing list and enters the tracking number, the graduate sees it."""

from __future__ import annotations

import openpyxl
from playwright.sync_api import expect

from apps.archives.models import ArchiveTransfer
from apps.reference.models import Division
from tests import factories as f
from tests.browser.conftest import login_graduate, login_staff


def test_register_export_send_and_see_the_tracking_number(world, phone, desktop):
    g = world.graduate
    g.origin_division = Division.objects.get(code="340104")
    g.save(update_fields=["origin_division"])

    # the graduate: defaults from 生源所在地, completed and saved
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.click("nav.tabbar >> text=登记")
    phone.click("text=档案转寄登记")
    expect(phone.locator("h1")).to_have_text("档案转寄登记")
    expect(phone.locator("#archive-status")).to_contain_text("未登记")
    expect(phone.locator("#archive-defaults")).to_contain_text("安徽省合肥市蜀山区")
    expect(phone.locator("#f-receiving_unit_name")).to_have_value("蜀山区人才服务中心")
    expect(phone.locator("#address_division-value")).to_have_value("340104")
    expect(phone.locator("#address_division-chosen")).to_contain_text("安徽省合肥市蜀山区")
    expect(phone.locator("#f-transfer_method")).to_have_value("ems")
    phone.fill("#f-street_address", "长江西路100号")
    phone.fill("#f-post_code", "230031")
    phone.fill("#f-contact_person", "陈老师")
    phone.fill("#f-contact_phone", "0551-65123456")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.click("#archive-save")
    expect(phone.get_by_role("alert")).to_contain_text("档案转寄信息已保存")
    expect(phone.locator("#archive-status")).to_contain_text("已登记")
    transfer = ArchiveTransfer.objects.get(graduate=g)
    assert (transfer.receiving_unit_name, transfer.address_division_id, transfer.post_code) == (
        "蜀山区人才服务中心", "340104", "230031")

    # the school admin: export the selected row, then enter the tracking number
    login_staff(desktop, "school-a", f.PASSWORD)
    desktop.click("aside >> text=档案转寄")
    row = desktop.locator(f"#archive-table tr[data-id='{transfer.pk}']")
    expect(row).to_contain_text("蜀山区人才服务中心")
    expect(row).to_contain_text("055******3456")
    row.locator("input[name=ids]").check()
    with desktop.expect_download() as download_info:
        desktop.click("#export-button")
    download = download_info.value
    assert download.suggested_filename == "档案邮寄清单.xlsx"
    with open(download.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(handle).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:11] == ["学号", "姓名", "院系", "接收单位", "接收部门", "地址（省市区县+详细地址）", "邮编", "联系人",
                            "联系电话", "转递方式", "快递单号"]
    assert rows[1][:10] == [g.student_number, g.name, "计算机学院", "蜀山区人才服务中心", None,
                            "安徽省合肥市蜀山区长江西路100号", "230031", "陈老师", "0551-65123456",
                            "EMS（高校学生档案专用）"]
    assert len(rows) == 2
    row.locator(f"input[name=tracking_{transfer.pk}]").fill("EA123456789CN")
    desktop.click("#tracking-save")
    expect(desktop.get_by_role("alert").first).to_contain_text("已登记1个快递单号")
    expect(desktop.locator(f"#archive-table tr[data-id='{transfer.pk}']")).to_contain_text("已寄出")

    # the graduate sees the number; the form is locked
    phone.reload()
    expect(phone.locator("#tracking-number")).to_have_text("EA123456789CN")
    expect(phone.locator("#archive-status")).to_contain_text("已寄出")
    expect(phone.locator("#tracking-hint")).to_contain_text("可凭单号在EMS官网查询")
    expect(phone.locator("#archive-save")).to_have_count(0)
    expect(phone.locator("#f-receiving_unit_name")).to_be_disabled()
