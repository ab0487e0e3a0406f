"""就业统计 in the browser (desktop): the school admin reads the rate, picks a college (the table
and the chart follow), downloads the .xlsx and finds the page's totals in it, and freezes the
report; the province admin sees the schools side by side, ranked, with their chart."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.destinations.models import Destination
from tests import factories as f
from tests.browser.conftest import login_staff


def placed(graduate, code: str, status: str = "school_approved"):
    return Destination.objects.create(graduate=graduate, school=graduate.school, college=graduate.college,
                                      category_code=code, status=status)


@pytest.fixture
def season(world):
    """计算机学院 6 graduates, 4 placed (66.67%); 外国语学院 4, 1 (25.00%): the school 10, 5
    (50.00%). 江淮理工学院 3 graduates, 2 placed (66.67%)."""
    for code in ("10", "11", "10", "80"):
        placed(f.make_graduate(college=world.college, major=world.major), code)
    placed(f.make_graduate(college=world.college, major=world.major), "10", status="submitted")
    placed(f.make_graduate(college=world.other_college, major=world.other_major), "75")
    f.make_graduate(college=world.other_college, major=world.other_major)
    f.make_graduate(college=world.other_college, major=world.other_major)
    for code in ("10", "76"):
        placed(f.make_graduate(college=world.far_college, major=world.far_major), code)
    return world


def _number(page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def _chart_drawn(page, element_id: str) -> None:
    """ECharts has drawn into the container (a canvas inside it)."""
    expect(page.locator(f"#{element_id}[data-drawn='1'] canvas").first).to_be_visible()


def test_school_admin_reads_filters_and_exports(season, desktop, tmp_path):
    page = desktop
    login_staff(page, "school-a", f.PASSWORD)
    page.get_by_role("link", name="就业统计", exact=True).click()
    expect(page.locator("h1")).to_contain_text("就业统计")
    expect(page.locator("#stats-rate")).to_have_text("50.00%")
    expect(page.locator("#stats-graduates")).to_have_text("10")
    expect(page.locator("#stats-table tbody tr")).to_have_count(2)
    _chart_drawn(page, "chart-breakdown")
    _chart_drawn(page, "chart-categories")

    # one college: the page reloads for it, the table lists its majors, the chart is drawn again
    page.select_option("#f-college", label="外国语学院")
    page.wait_for_url(f"**college={season.other_college.pk}**")
    expect(page.locator("#stats-rate")).to_have_text("25.00%")
    expect(page.locator("#stats-table")).to_contain_text("英语")
    expect(page.locator("#stats-table")).not_to_contain_text("计算机学院")
    _chart_drawn(page, "chart-breakdown")

    shown = {"graduates": int(_number(page, "#stats-graduates")), "placed": int(_number(page, "#stats-placed")),
             "rate": _number(page, "#stats-rate")}
    with page.expect_download() as download_info:
        page.click("#stats-export")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx") and "外国语学院" in download.suggested_filename
    path = tmp_path / "stats.xlsx"
    download.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    head = dict(list(book.worksheets[0].iter_rows(values_only=True))[1:])
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    total = rows[-1]
    assert total[0] == "合计"
    assert (head["毕业生数"], head["已落实"]) == (shown["graduates"], shown["placed"]) == (total[1], total[-2])
    assert f"{total[-1]:.2f}%" == shown["rate"] == f"{head['毕业去向落实率（%）']:.2f}%"

    # the school freezes its figures: as of 31 August, or today while that day is still to come
    page.goto("/staff/statistics/")
    as_of = min(date(2027, 8, 31), timezone.localdate())
    expect(page.locator("#freeze-as-of")).to_have_value(as_of.isoformat())
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#freeze-button")
    expect(page.locator("#frozen-meta")).to_contain_text(f"{as_of.year}年{as_of.month}月{as_of.day}日")
    expect(page.locator("#stats-rate")).to_have_text("50.00%")
    expect(page.locator("#frozen-college")).to_contain_text("计算机学院")


def test_province_admin_sees_schools_side_by_side(season, desktop):
    from apps.statistics.snapshots import stats_snapshot_all

    stats_snapshot_all()
    page = desktop
    login_staff(page, "province", f.PASSWORD)
    page.get_by_role("link", name="就业统计", exact=True).click()
    expect(page.locator("h1")).to_contain_text("全省就业统计")
    rows = page.locator("#stats-province-table tbody tr")
    expect(rows).to_have_count(2)
    # 江淮理工学院 66.67% ranks before 安徽示例大学 50.00%
    expect(rows.nth(0)).to_contain_text("江淮理工学院")
    expect(rows.nth(0)).to_contain_text("66.67%")
    expect(rows.nth(1)).to_contain_text("安徽示例大学")
    expect(rows.nth(1)).to_contain_text("50.00%")
    expect(page.locator("#stats-taken")).to_contain_text("数据截至")
    _chart_drawn(page, "chart-province")
    page.click("text=安徽示例大学")
    expect(page.locator("#stats-rate")).to_have_text("50.00%")
    expect(page.locator("#stats-table")).to_contain_text("外国语学院")
