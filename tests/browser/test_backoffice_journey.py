"""The back office of issue 14, end to end on a desktop ("Done means"): a school admin opens the
inbox (待办), approves a batch of destinations, opens 就业统计 and sees them counted, filters a
college, exports .xlsx and finds the page's totals in the file; a province admin sees both
schools side by side, ranked, from the daily snapshots."""

from __future__ import annotations

from datetime import timedelta

import openpyxl
from django.utils import timezone
from playwright.sync_api import expect

from apps.destinations.models import Destination
from apps.organisations.models import SchoolPolicy
from tests import factories as f
from tests.browser.conftest import login_staff


def _destination(graduate, code: str, status: str):
    return Destination.objects.create(graduate=graduate, school=graduate.school, college=graduate.college,
                                      category_code=code, status=status, submitted_at=timezone.now())


def _season(world) -> list:
    """计算机学院: 王小明 + 3 approved (10, 10, 80) → 4 graduates, 3 placed. 外国语学院: 李华 + 3
    waiting for the school's final review (院系已初审, 11) + 1 approved 75 → 5 graduates, 1
    placed before the batch, 4 after. 江淮理工学院: 赵强 + 1 approved 10 → 2 graduates, 1 placed."""
    ahead = timezone.localdate() + timedelta(days=400)
    for school in (world.school, world.other_school):  # review open whatever the calendar says
        SchoolPolicy.objects.update_or_create(school=school, defaults={"destination_cutoff_on": ahead})
    for code in ("10", "10", "80"):
        _destination(f.make_graduate(college=world.college, major=world.major), code, "school_approved")
    _destination(f.make_graduate(college=world.other_college, major=world.other_major), "75", "school_approved")
    waiting = [_destination(f.make_graduate(college=world.other_college, major=world.other_major, name=f"待审{n}"),
                            "11", "college_approved") for n in range(3)]
    _destination(f.make_graduate(college=world.far_college, major=world.far_major), "10", "school_approved")
    return waiting


def test_school_admin_approves_a_batch_and_reads_it_in_the_statistics(world, desktop, tmp_path):
    from apps.statistics.snapshots import stats_snapshot_all

    waiting = _season(world)
    stats_snapshot_all()
    page = desktop
    login_staff(page, "school-a", f.PASSWORD)

    # 待办: the destinations waiting for the school's final review, approved as one batch
    page.get_by_role("link", name="待办", exact=True).click()
    queue = page.locator("#inbox-table tr[data-queue='destinations']")
    expect(queue.locator(".inbox-count")).to_contain_text("3")
    queue.get_by_role("link", name="查看明细").click()
    expect(page.locator("#inbox-items tbody tr")).to_have_count(3)
    page.check("#check-all")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#inbox-batch-approve")
    expect(page.locator(".alert.success")).to_contain_text("已通过 3 条")
    assert set(Destination.objects.filter(pk__in=[d.pk for d in waiting]).values_list("status", flat=True)) == {
        "school_approved"}

    # 就业统计: the school counts them at once (9 graduates, 7 placed → 77.78%)
    page.get_by_role("link", name="就业统计", exact=True).click()
    expect(page.locator("#stats-graduates")).to_have_text("9")
    expect(page.locator("#stats-placed")).to_have_text("7")
    expect(page.locator("#stats-rate")).to_have_text("77.78%")
    expect(page.locator("#stats-table tr[data-key]")).to_have_count(2)
    expect(page.locator("#chart-breakdown[data-drawn='1'] canvas").first).to_be_visible()

    # one college: 外国语学院 5 graduates, 4 placed → 80.00%
    page.select_option("#f-college", label="外国语学院")
    page.wait_for_url(f"**college={world.other_college.pk}**")
    expect(page.locator("#stats-rate")).to_have_text("80.00%")
    expect(page.locator("#stats-table")).to_contain_text("英语")
    expect(page.locator("#chart-breakdown[data-drawn='1'] canvas").first).to_be_visible()
    shown = (int(page.locator("#stats-graduates").inner_text()), int(page.locator("#stats-placed").inner_text()),
             page.locator("#stats-rate").inner_text().strip())

    with page.expect_download() as download_info:
        page.click("#stats-export")
    path = tmp_path / "stats.xlsx"
    download_info.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    total = list(book.worksheets[1].iter_rows(values_only=True))[-1]
    assert total[0] == "合计"
    assert (total[1], total[-2], f"{total[-1]:.2f}%") == shown == (5, 4, "80.00%")
    rows = list(book.worksheets[1].iter_rows(values_only=True))[1:-1]
    assert sum(r[1] for r in rows) == total[1]


def test_province_admin_sees_the_schools_side_by_side(world, desktop):
    from apps.statistics.snapshots import stats_snapshot_all

    _season(world)
    stats_snapshot_all()
    page = desktop
    login_staff(page, "province", f.PASSWORD)
    page.get_by_role("link", name="就业统计", exact=True).click()
    rows = page.locator("#stats-province-table tbody tr")
    expect(rows).to_have_count(2)
    # 安徽示例大学 9 graduates, 4 placed (44.44%) — the batch is still waiting; 江淮理工学院 2, 1 (50.00%)
    expect(rows.nth(0)).to_contain_text("江淮理工学院")
    expect(rows.nth(0)).to_contain_text("50.00%")
    expect(rows.nth(1)).to_contain_text("安徽示例大学")
    expect(rows.nth(1)).to_contain_text("44.44%")
    expect(page.locator("#stats-total")).to_contain_text("11")
    expect(page.locator("#stats-taken")).to_contain_text("数据截至")
    expect(page.locator("#chart-province[data-drawn='1'] canvas").first).to_be_visible()
