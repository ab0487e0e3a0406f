"""就业方案导出与核对 end to end (desktop): the school admin opens the page from the staff home,
downloads the cohort's 就业方案 file, uploads it back and reads 「无差异」; then uploads a copy
with one cell changed and sees exactly that cell."""

from __future__ import annotations

import io

import openpyxl
from playwright.sync_api import expect

from apps.registry.national import EXPORT_HEADERS
from tests import factories as f
from tests.browser.conftest import login_staff


def test_download_the_export_and_upload_it_back(world, desktop, tmp_path):
    login_staff(desktop, "school-a", f.PASSWORD)
    desktop.click("#national-link")
    expect(desktop.locator("h1")).to_have_text("就业方案导出与核对")
    expect(desktop.locator("#e-cohort")).to_have_value(str(world.school.current_cohort))

    with desktop.expect_download() as download_info:
        desktop.click("#national-export-button")
    download = download_info.value
    assert download.suggested_filename == f"就业方案-安徽示例大学-{world.school.current_cohort}届.xlsx"
    exported = tmp_path / "export.xlsx"
    download.save_as(exported)
    wb = openpyxl.load_workbook(exported)
    rows = list(wb["就业方案"].iter_rows(values_only=True))
    assert rows[0] == EXPORT_HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["2022010101", "2022020202"]

    # upload the unchanged file back: no difference
    desktop.set_input_files("#c-file", str(exported))
    expect(desktop.locator("#c-file-chosen")).to_contain_text("export.xlsx")
    desktop.click("#national-check-button")
    expect(desktop.locator("h1")).to_have_text("就业方案核对报告")
    expect(desktop.locator("#check-result")).to_contain_text("无差异")
    expect(desktop.locator("#count-file-rows")).to_have_text("2")

    # one cell changed in a spreadsheet program: exactly that cell is reported
    ws = wb["就业方案"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "2022010101":
            row[EXPORT_HEADERS.index("姓名")].value = "王晓明"
    changed = tmp_path / "changed.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    changed.write_bytes(buffer.getvalue())
    desktop.click("text=返回就业方案导出与核对")
    desktop.set_input_files("#c-file", str(changed))
    desktop.click("#national-check-button")
    expect(desktop.locator("#check-result")).to_contain_text("发现差异：1行共1处不一致")
    cells = desktop.locator("#differences tbody tr")
    expect(cells).to_have_count(1)
    expect(cells.first).to_contain_text("王晓明")
    expect(cells.first).to_contain_text("王小明")
    with desktop.expect_download() as report_info:
        desktop.click("#report-download")
    assert report_info.value.suggested_filename == f"就业方案核对报告-{world.school.current_cohort}届.xlsx"


def test_a_wrong_file_is_explained_on_the_page(world, desktop, tmp_path):
    bad = tmp_path / "名单.xlsx"
    bad.write_bytes(b"not a workbook")
    login_staff(desktop, "school-a", f.PASSWORD)
    desktop.goto("/staff/registry/national/")
    desktop.set_input_files("#c-file", str(bad))
    desktop.click("#national-check-button")
    expect(desktop.locator("#check-error")).to_contain_text("文件不是有效的Excel（.xlsx）文件")
