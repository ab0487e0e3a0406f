"""毕业生查询 end to end (desktop): a school admin finds a graduate by the last four characters of
the ID number, narrows the list to a college, opens the graduate's page and reads the destination
and the audit trail, then clicks 导出 Excel: the file holds as many graduates as the list said."""

from __future__ import annotations

import re

import openpyxl
from playwright.sync_api import expect

from apps.audit.services import audit_record
from apps.destinations.models import DestinationStatus
from tests import factories as f
from tests.browser.conftest import login_staff
from tests.destinations.builders import make_destination


def test_search_filter_open_and_export(world, desktop, tmp_path):
    destination = make_destination(world.graduate, code="11", status=DestinationStatus.SUBMITTED)
    audit_record(actor=world.graduate_user, action="destination.submit", summary="提交毕业去向", target=destination,
                 school_id=world.school.pk, college_id=world.college.pk, graduate_id=world.graduate.pk,
                 changes={"status": ["未提交", "待审核"]})
    for i in range(4):
        f.make_graduate(college=world.college, major=world.major, name=f"同院{i}")
    last4 = world.graduate.id_number[-4:]

    login_staff(desktop, "school-a", f.PASSWORD)
    desktop.goto("/staff/graduates/")
    expect(desktop.locator("h1")).to_have_text("毕业生查询")

    # 身份证号后四位
    desktop.fill("#f-q", last4)
    desktop.click("#graduate-filters button[type=submit]")
    rows = desktop.locator("#graduate-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王小明")
    expect(rows.first).to_contain_text(world.graduate.masked_id_number)

    # a college instead of the search
    desktop.fill("#f-q", "")
    desktop.select_option("#f-college", label="计算机学院")
    desktop.click("#graduate-filters button[type=submit]")
    expect(rows).to_have_count(5)
    expect(desktop.locator("#graduate-table")).not_to_contain_text("李华")
    count_text = desktop.locator("#graduate-count").inner_text()
    listed = int(re.search(r"共 (\d+) 条", count_text).group(1))
    assert listed == 5

    # the graduate's page: destination and audit trail
    desktop.click("#graduate-table a:has-text('王小明')")
    expect(desktop.locator("h1")).to_contain_text("王小明")
    expect(desktop.locator("#destination-section")).to_contain_text("签劳动合同形式就业")
    expect(desktop.locator("#destination-history")).to_contain_text("提交毕业去向")
    expect(desktop.locator("#audit-trail")).to_contain_text("提交毕业去向")
    expect(desktop.locator("body")).not_to_contain_text(world.graduate.id_number)

    # back to the filtered list; 导出 Excel carries the filters
    desktop.go_back()
    expect(rows).to_have_count(5)
    with desktop.expect_download() as download_info:
        desktop.click("#export-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "directory.xlsx"
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved, read_only=True).worksheets[0]
    data = list(sheet.iter_rows(values_only=True))[1:]
    assert len(data) == listed
    assert {r[1] for r in data} == {"王小明", "同院0", "同院1", "同院2", "同院3"}
