"""生源导入 pages' lists (import records, a report's issues) read with the bounded page (issue 9):
constant statements with 1 and many rows, a page past the limit shows the Chinese note."""

from __future__ import annotations

import pytest

from apps.roster.models import ImportStatus, RosterImport, RosterIssue
from tests.list_scale import queries_of

pytestmark = pytest.mark.django_db


def an_import(world, *, issues=0, name="生源.xlsx") -> RosterImport:
    made = RosterImport.objects.create(school=world.school, cohort=2027, uploaded_by=world.school_admin,
                                       file="roster/test.xlsx", original_name=name, status=ImportStatus.INVALID,
                                       error_count=issues)
    RosterIssue.objects.bulk_create(RosterIssue(roster_import=made, row_number=n + 2, column="学号",
                                                message=f"第{n}个问题") for n in range(issues))
    return made


def test_issue_page_costs_the_same_statements_with_1_and_60_issues(client, world):
    client.force_login(world.school_admin)
    small, large = an_import(world, issues=1), an_import(world, issues=60)
    url = f"/staff/roster/{small.pk}/"
    client.get(url)
    one, response = queries_of(client, url)
    assert "第0个问题" in response.content.decode() and 'id="issues-download"' in response.content.decode()
    many, response = queries_of(client, f"/staff/roster/{large.pk}/")
    html = response.content.decode()
    assert html.count("第") >= 50 and "第50个问题" not in html and "下一页" in html
    assert many == one + 1  # the bounded COUNT, read only when the report spans pages
    html = client.get(f"/staff/roster/{large.pk}/", {"page": 2}).content.decode()
    assert "第59个问题" in html and "第0个问题" not in html and "上一页" in html


def test_issue_page_past_the_limit_shows_the_note(client, world, settings):
    settings.LIST_MAX_PAGE = 1
    large = an_import(world, issues=60)
    client.force_login(world.school_admin)
    response = client.get(f"/staff/roster/{large.pk}/", {"page": 3})
    assert response.status_code == 200
    assert "列表最多显示前 1 页，请使用筛选条件缩小范围。" in response.content.decode()


def test_import_records_cost_the_same_statements_with_1_and_25_imports(client, world):
    client.force_login(world.school_admin)
    an_import(world)
    client.get("/staff/roster/")
    one, _ = queries_of(client, "/staff/roster/")
    for n in range(24):
        an_import(world, name=f"第{n}批.xlsx")
    many, response = queries_of(client, "/staff/roster/")
    assert response.content.decode().count("/staff/roster/") >= 20 and "下一页" in response.content.decode()
    assert many == one + 1
