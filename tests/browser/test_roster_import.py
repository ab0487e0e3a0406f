"""School staff import a roster in the browser: a bad row is reported, the fixed file goes in."""

from __future__ import annotations

import pytest

from apps.graduates.models import Graduate
from tests.browser.conftest import login_staff
from tests.factories import PASSWORD
from tests.roster.builders import person, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


def _upload(page, content: bytes, name: str) -> None:
    page.goto("/staff/roster/")
    page.set_input_files("#roster-file", files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    page.click("#roster-upload-button")


def test_school_admin_fixes_a_bad_row_and_imports(desktop, live_server, world):
    login_staff(desktop, "school-a", PASSWORD)
    desktop.wait_for_url("**/staff/")

    _upload(desktop, xlsx([person(1), person(2, 手机号="12345"), person(3)]), "有错误.xlsx")
    desktop.wait_for_selector("#issue-table")
    assert "校验未通过" in desktop.inner_text("#import-status")
    row = desktop.locator("#issue-table tbody tr").filter(has_text="手机号须为11位大陆手机号码")
    assert row.count() == 1
    assert row.locator("td").first.inner_text() == "3"
    assert desktop.locator("#commit-button").count() == 0
    assert not Graduate.objects.filter(student_number__startswith="2026000").exists()

    _upload(desktop, xlsx([person(1), person(2), person(3)]), "已修正.xlsx")
    desktop.wait_for_selector("#commit-button")
    assert "校验通过" in desktop.inner_text("#import-status")
    desktop.click("#commit-button")
    desktop.wait_for_selector("#created-count")
    assert "已导入" in desktop.inner_text("#import-status")
    assert desktop.inner_text("#created-count") == "3"
    assert Graduate.objects.filter(school=world.school, student_number__startswith="2026000").count() == 3


def test_detail_page_polls_progress_and_shows_the_report_when_done(desktop, live_server, world):
    from apps.roster.models import ImportStatus, RosterImport, RosterIssue

    roster_import = RosterImport.objects.create(
        school=world.school, cohort=world.school.current_cohort, uploaded_by=world.school_admin, file="roster/pending.xlsx",
        original_name="大文件.xlsx", status=ImportStatus.VALIDATING, total_rows=2000, processed_rows=500,
    )
    login_staff(desktop, "school-a", PASSWORD)
    desktop.wait_for_url("**/staff/")
    desktop.goto(f"/staff/roster/{roster_import.pk}/")
    assert desktop.get_attribute("#import-progress", "aria-valuenow") == "25"

    RosterImport.objects.filter(pk=roster_import.pk).update(processed_rows=1500)
    desktop.wait_for_selector("#import-progress[aria-valuenow='75']")

    RosterIssue.objects.create(roster_import=roster_import, row_number=7, column="姓名", message="姓名不能为空")
    RosterImport.objects.filter(pk=roster_import.pk).update(status=ImportStatus.INVALID, processed_rows=2000,
                                                            error_count=1)
    desktop.wait_for_selector("#issue-table")  # the fragment asked htmx to reload the page
    assert "姓名不能为空" in desktop.inner_text("#issue-table")
    assert desktop.locator("#import-progress").count() == 0
