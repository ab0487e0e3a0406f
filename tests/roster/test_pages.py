"""Staff pages: upload form, detail with progress and report, confirm, duplicates."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.graduates.models import Graduate
from apps.roster.models import ImportStatus, RosterImport
from tests import factories as f
from tests.roster.builders import id_number, person, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.school_admin)
    return client


def _post_upload(client, content, capture, mode="create"):
    with capture(execute=True):
        page = client.get(reverse("roster-imports"))  # the form's default cohort: the school's current one
        cohort = page.context["data"]["cohort"]
        return client.post(reverse("roster-imports"), {"file": SimpleUploadedFile("生源.xlsx", content),
                                                       "cohort": cohort, "mode": mode})


def test_import_page_shows_form_with_current_cohort_and_template_link(staff_client, world):
    response = staff_client.get(reverse("roster-imports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="roster-upload-form"' in html
    assert f'id="roster-cohort" name="cohort" value="{world.school.current_cohort}"' in html
    assert reverse("roster-template") in html


def test_upload_redirects_to_the_report(staff_client, world, django_capture_on_commit_callbacks):
    response = _post_upload(staff_client, xlsx([person(1), person(2, 姓名=None)]), django_capture_on_commit_callbacks)
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("roster-import-detail", args=[roster_import.pk])
    page = staff_client.get(response.url).content.decode()
    assert "校验未通过" in page and 'id="issue-table"' in page
    assert "<td>3</td><td>姓名</td>" in page and "姓名不能为空" in page
    assert 'id="commit-button"' not in page and "hx-trigger" not in page


def test_upload_error_is_shown_on_the_form(staff_client, world, django_capture_on_commit_callbacks):
    response = _post_upload(staff_client, b"plain text", django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "文件不是有效的Excel（.xlsx）文件" in response.content.decode()


def test_valid_import_shows_confirm_button_and_commits(staff_client, world, django_capture_on_commit_callbacks):
    _post_upload(staff_client, xlsx([person(1)]), django_capture_on_commit_callbacks)
    roster_import = RosterImport.objects.get()
    detail = reverse("roster-import-detail", args=[roster_import.pk])
    assert 'id="commit-button"' in staff_client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("roster-import-commit", args=[roster_import.pk]))
    assert response.status_code == 302
    page = staff_client.get(detail).content.decode()
    assert "已导入" in page and '<dd id="created-count">1</dd>' in page
    assert Graduate.objects.filter(student_number="2026000001").exists()


def test_running_import_polls_and_finished_one_refreshes_the_page(staff_client, world):
    roster_import = RosterImport.objects.create(
        school=world.school, cohort=world.school.current_cohort, uploaded_by=world.school_admin, file="roster/x.xlsx",
        original_name="a.xlsx", status=ImportStatus.VALIDATING, total_rows=2000, processed_rows=500,
    )
    progress_url = reverse("roster-import-progress", args=[roster_import.pk])
    page = staff_client.get(reverse("roster-import-detail", args=[roster_import.pk])).content.decode()
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in page
    assert 'aria-valuenow="25"' in page
    fragment = staff_client.get(progress_url)
    assert "HX-Refresh" not in fragment and "hx-trigger" in fragment.content.decode()
    RosterImport.objects.filter(pk=roster_import.pk).update(status=ImportStatus.VALID)
    fragment = staff_client.get(progress_url)
    assert fragment["HX-Refresh"] == "true"
    assert "hx-trigger" not in fragment.content.decode()


def test_issue_report_downloads_as_xlsx(staff_client, world, django_capture_on_commit_callbacks):
    _post_upload(staff_client, xlsx([person(1, 手机号="123")]), django_capture_on_commit_callbacks)
    roster_import = RosterImport.objects.get()
    response = staff_client.get(reverse("roster-import-issues-xlsx", args=[roster_import.pk]))
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("行号", "列", "级别", "说明")
    assert rows[2] == (2, "手机号", "错误", "手机号须为11位大陆手机号码")


def test_template_page_download(staff_client):
    response = staff_client.get(reverse("roster-template"))
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_another_schools_admin_gets_404(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.school_admin)
    _post_upload(client, xlsx([person(1)]), django_capture_on_commit_callbacks)
    roster_import = RosterImport.objects.get()
    client.force_login(world.other_school_admin)
    for name in ("roster-import-detail", "roster-import-progress", "roster-import-issues-xlsx"):
        assert client.get(reverse(name, args=[roster_import.pk])).status_code == 404
    assert client.post(reverse("roster-import-commit", args=[roster_import.pk])).status_code == 404
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.VALID


@pytest.mark.parametrize("name", ["roster-imports", "roster-duplicates", "roster-template"])
def test_college_admin_gets_403(client, world, name):
    client.force_login(world.college_admin)
    assert client.get(reverse(name)).status_code == 403


def test_anonymous_is_sent_to_the_staff_login(client, world):
    response = client.get(reverse("roster-imports"))
    assert response.status_code == 302 and response.url.startswith("/staff/login/")


def _make_login_duplicates(world, count: int):
    for n in range(count):
        number = id_number(100 + n)
        for level in ("31", "25"):
            f.make_graduate(college=world.college, major=world.major, name=f"重复{n}", student_number=f"20269{n:05d}",
                            id_number=number, education_level_code=level)


def test_duplicates_page_lists_masked_ids_and_links(staff_client, world):
    _make_login_duplicates(world, 1)
    shared = id_number(200)
    a = f.make_graduate(college=world.college, major=world.major, name="甲", student_number="2026800001", id_number=shared)
    b = f.make_graduate(college=world.other_college, major=world.other_major, name="乙", student_number="2026800002",
                        id_number=shared)
    html = staff_client.get(reverse("roster-duplicates")).content.decode()
    assert html.count('class="card duplicate-group"') == 2
    assert "毕业生登录时会提示“信息重复”" in html and "同一身份证号在本届出现多次" in html
    assert shared not in html and shared[:4] + "*" * 10 + shared[-4:] in html
    assert reverse("staff-graduate-detail", args=[a.pk]) in html
    assert reverse("staff-graduate-detail", args=[b.pk]) in html


def test_duplicates_page_of_another_cohort_is_empty(staff_client, world):
    _make_login_duplicates(world, 1)
    html = staff_client.get(reverse("roster-duplicates"), {"cohort": world.school.current_cohort - 1}).content.decode()
    assert 'id="no-duplicates"' in html


def test_duplicates_page_query_count_does_not_grow_with_groups(staff_client, world):
    url = reverse("roster-duplicates")
    _make_login_duplicates(world, 1)
    staff_client.get(url)  # warm the code-label cache
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(url).content.decode().count('class="card duplicate-group"') == 1
    Graduate.objects.filter(name__startswith="重复").delete()
    _make_login_duplicates(world, 5)
    with CaptureQueriesContext(connection) as five:
        assert staff_client.get(url).content.decode().count('class="card duplicate-group"') == 5
    assert len(one) == len(five)


def test_imports_list_query_count_does_not_grow(staff_client, world):
    def add(n):
        for i in range(n):
            RosterImport.objects.create(school=world.school, cohort=world.school.current_cohort, uploaded_by=world.school_admin,
                                        file=f"roster/{i}.xlsx", original_name=f"{i}.xlsx")

    url = reverse("roster-imports")
    add(1)
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(url).content.decode().count(".xlsx</a></td>") == 1
    add(4)
    with CaptureQueriesContext(connection) as five:
        assert staff_client.get(url).content.decode().count(".xlsx</a></td>") == 5
    assert len(one) == len(five)


def test_api_imports_list_query_count_does_not_grow(client, world):
    from apps.accounts.services import api_token_issue

    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(world.school_admin)}"}

    def add(n):
        for i in range(n):
            RosterImport.objects.create(school=world.school, cohort=world.school.current_cohort, uploaded_by=world.school_admin,
                                        file=f"roster/{i}.xlsx", original_name=f"{i}.xlsx")

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/roster/imports", **headers).json()["count"] == 1
    add(4)
    with CaptureQueriesContext(connection) as five:
        assert client.get("/api/v1/roster/imports", **headers).json()["count"] == 5
    assert len(one) == len(five)


def test_duplicates_selector_reads_a_page_of_groups_in_two_queries(world, django_assert_num_queries):
    from apps.roster.selectors import roster_duplicate_groups, roster_duplicate_keys

    _make_login_duplicates(world, 4)
    shared = id_number(300)
    for n, college, major in ((1, world.college, world.major), (2, world.other_college, world.other_major)):
        f.make_graduate(college=college, major=major, name=f"同号{n}", student_number=f"20267000{n}", id_number=shared)
    cohort = world.school.current_cohort
    with django_assert_num_queries(2):  # a page of shared ID numbers; their records (with college and major)
        keys = list(roster_duplicate_keys(actor=world.school_admin, cohort=cohort)[:20])
        groups = roster_duplicate_groups(actor=world.school_admin, cohort=cohort, keys=keys)
        assert sorted(g.kind for g in groups) == ["id_number"] + ["login"] * 4
        assert all(m.college.name and m.major.name for g in groups for m in g.members)
    assert [g.total for g in groups if g.kind == "id_number"] == [2]
    assert list(roster_duplicate_keys(actor=world.other_school_admin, cohort=cohort)) == []
