"""就业统计 pages: each role sees its own scope (a college admin never another college's numbers,
on the page or in the file), the page shows compute's numbers, the .xlsx totals equal the
page's, labels that look like formulas stay text, and the statement count does not grow with
the data."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.destinations.models import Destination
from apps.statistics import compute
from tests import factories as f
from tests.list_scale import queries_of

DASHBOARD = reverse("staff-statistics")
PROVINCE = reverse("staff-statistics-province")
EXPORT = reverse("staff-statistics-export")


def placed(graduate, code: str, status: str = "school_approved"):
    return Destination.objects.create(graduate=graduate, school=graduate.school, college=graduate.college,
                                      category_code=code, status=status)


@pytest.fixture
def season(world):
    """计算机学院 (college): 王小明 + 4 more, of whom 3 签就业协议 (10) and 1 升学 (80) approved, one
    more 10 only submitted. 外国语学院 (other_college): 李华 + 3 more, one 自主创业 (75) approved.
    江淮理工学院 (other school): 赵强 + 1, one 10 approved.
    By hand: 计算机学院 6 graduates, 4 placed → 66.67%; 外国语学院 4, 1 → 25.00%;
    安徽示例大学 10 graduates, 5 placed → 50.00%; 江淮理工学院 2, 1 → 50.00%."""
    for code in ("10", "10", "10", "80"):
        placed(f.make_graduate(college=world.college, major=world.major), code)
    placed(f.make_graduate(college=world.college, major=world.major), "10", status="submitted")
    placed(f.make_graduate(college=world.other_college, major=world.other_major), "75")
    f.make_graduate(college=world.other_college, major=world.other_major)
    f.make_graduate(college=world.other_college, major=world.other_major)
    placed(f.make_graduate(college=world.far_college, major=world.far_major), "10")
    return world


def text_of(response) -> str:
    return response.content.decode()


def cell_text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)<', html, re.S)
    assert match, element_id
    return match.group(1).strip()


def strong_in(html: str, marker: str, *, attribute: bool = False) -> str:
    """The bold number inside the element with that id (or attribute text)."""
    match = re.search((re.escape(marker) if attribute else f'id="{marker}"') + r".*?<strong>(.*?)</strong>", html, re.S)
    assert match, marker
    return match.group(1).strip()


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    return openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)


def sheet_rows(book, index: int) -> list[tuple]:
    return [tuple(row) for row in book.worksheets[index].iter_rows(values_only=True)]


def total_row(book) -> tuple:
    rows = sheet_rows(book, 1)
    assert rows[-1][0] == "合计"
    return rows[-1]


# --- who sees what -----------------------------------------------------------------------------------

def test_school_admin_sees_the_school_by_college_with_compute_numbers(client, season):
    w = season
    client.force_login(w.school_admin)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = text_of(response)
    overview = compute.stats_overview(actor=w.school_admin, cohort=2027, school_id=w.school.pk)
    assert (overview.total.graduates, overview.total.placed, str(overview.total.rate)) == (10, 5, "50.00")
    assert cell_text(html, "stats-rate") == "50.00%"
    assert cell_text(html, "stats-graduates") == "10"
    assert cell_text(html, "stats-placed") == "5"
    assert strong_in(html, "stats-pending") == "1"  # the submitted one waits
    assert strong_in(html, "stats-terminations") == "0"
    assert [strong_in(html, f'data-part="{key}"', attribute=True) for key in compute.RATE_ITEMS] == ["3", "1", "0", "1"]
    rows = {r.label: r for r in compute.stats_breakdown(actor=w.school_admin, cohort=2027, by="college",
                                                        school_id=w.school.pk)}
    assert str(rows["计算机学院"].rate) == "66.67" and str(rows["外国语学院"].rate) == "25.00"
    assert "66.67%" in html and "25.00%" in html
    assert "江淮理工学院" not in html and "机械学院" not in html
    # the charts' numbers are in the page as JSON beside the table
    assert 'id="chart-breakdown-data"' in html and "66.67" in html
    assert 'data-chart="pie"' in html and "vendor/echarts/echarts.min" in html


def test_school_admin_filters_a_college(client, season):
    w = season
    client.force_login(w.school_admin)
    html = text_of(client.get(DASHBOARD, {"college": w.other_college.pk, "by": "college"}))
    assert cell_text(html, "stats-rate") == "25.00%"
    assert cell_text(html, "stats-graduates") == "4"
    # 按院系 makes no sense inside one college: the first other breakdown (按专业) is shown
    assert "按专业统计" in html and "英语" in html and "软件工程" not in html


def test_college_admin_is_pinned_to_their_college(client, season):
    w = season
    client.force_login(w.college_admin)
    for params in ({}, {"college": w.other_college.pk}, {"college": w.far_college.pk}):
        response = client.get(DASHBOARD, params)
        assert response.status_code == 200
        html = text_of(response)
        assert cell_text(html, "stats-rate") == "66.67%"
        assert cell_text(html, "stats-graduates") == "6"
        assert "外国语学院" not in html and "英语" not in html and "25.00" not in html
        assert 'id="f-college"' not in html  # no college select for college staff

    book = workbook(client.get(EXPORT, {"college": w.other_college.pk}))
    total = total_row(book)
    assert total[1] == 6 and total[-2] == 4
    every_cell = " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                          for v in row if v is not None)
    assert "外国语学院" not in every_cell and "英语" not in every_cell


def test_college_admin_of_the_other_college_sees_only_theirs(client, season):
    w = season
    client.force_login(w.other_college_admin)
    html = text_of(client.get(DASHBOARD))
    assert cell_text(html, "stats-rate") == "25.00%"
    assert "计算机学院" not in html and "软件工程" not in html


def test_out_of_scope_ids_are_missing(client, season):
    w = season
    client.force_login(w.school_admin)
    assert client.get(DASHBOARD, {"college": w.far_college.pk}).status_code == 404
    assert client.get(EXPORT, {"college": w.far_college.pk}).status_code == 404
    client.force_login(w.other_school_admin)
    html = text_of(client.get(DASHBOARD))
    assert cell_text(html, "stats-graduates") == "2" and "计算机学院" not in html
    client.force_login(w.province_admin)
    other_province = f.make_school(province=f.make_province("32", "江苏省"), name="江苏示例大学")
    assert client.get(DASHBOARD, {"school": other_province.pk}).status_code == 404


def test_bad_filters_get_a_chinese_message(client, season):
    client.force_login(season.school_admin)
    response = client.get(DASHBOARD, {"by": "salary"})
    assert response.status_code == 400 and "不支持的分组方式" in text_of(response)
    response = client.get(DASHBOARD, {"cohort": "12345"})
    assert response.status_code == 400 and "届别" in text_of(response)


def test_others_are_refused(client, season):
    w = season
    client.force_login(w.graduate_user)
    assert client.get(DASHBOARD).status_code == 403
    client.force_login(w.employer_user)
    assert client.get(EXPORT).status_code == 403
    client.force_login(w.school_admin)
    assert client.get(PROVINCE).status_code == 403
    client.logout()
    assert client.get(DASHBOARD).status_code == 302


def test_province_admin_sees_schools_side_by_side_and_opens_one(client, season):
    w = season
    client.force_login(w.province_admin)
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(PROVINCE)
    html = text_of(client.get(PROVINCE))
    ranking = compute.province_ranking(actor=w.province_admin, cohort=2027)
    assert [(r.school_name, r.graduates, r.placed) for r in ranking] == [("安徽示例大学", 10, 5), ("江淮理工学院", 2, 1)]
    assert html.index("安徽示例大学") < html.index("江淮理工学院")
    assert 'data-chart="hbar"' in html
    html = text_of(client.get(DASHBOARD, {"school": w.school.pk}))
    assert cell_text(html, "stats-rate") == "50.00%" and "外国语学院" in html


# --- the .xlsx -------------------------------------------------------------------------------------

def test_export_totals_equal_the_page_and_are_audited(client, season):
    w = season
    client.force_login(w.school_admin)
    html = text_of(client.get(DASHBOARD, {"by": "college"}))
    response = client.get(EXPORT, {"by": "college"})
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    book = workbook(response)
    head = dict(sheet_rows(book, 0)[1:])
    assert head["毕业生数"] == int(cell_text(html, "stats-graduates"))
    assert head["已落实"] == int(cell_text(html, "stats-placed"))
    assert f"{head['毕业去向落实率（%）']:.2f}%" == cell_text(html, "stats-rate")
    rows = sheet_rows(book, 1)
    assert rows[0][0] == "院系" and {r[0] for r in rows[1:-1]} == {"计算机学院", "外国语学院"}
    total = total_row(book)
    assert (total[1], total[-2], float(total[-1])) == (10, 5, 50.0)
    assert sum(r[1] for r in rows[1:-1]) == total[1]  # the rows add up to the total
    entry = AuditEntry.objects.filter(action="statistics.export").latest("id")
    assert entry.school_id == w.school.pk


def test_province_export_is_the_ranking(client, season):
    client.force_login(season.province_admin)
    html = text_of(client.get(PROVINCE))
    rows = sheet_rows(workbook(client.get(EXPORT)), 0)
    assert [r[1] for r in rows[1:-1]] == ["安徽示例大学", "江淮理工学院"]
    assert rows[-1][1] == "合计" and rows[-1][2] == 12 and rows[-1][7] == 6
    assert "合计" in html and ">12<" in html


def test_formula_looking_labels_stay_text(client, world):
    evil = f.make_college(world.school, '=HYPERLINK("http://evil.example","点我")')
    placed(f.make_graduate(college=evil), "10")
    client.force_login(world.school_admin)
    rows = sheet_rows(workbook(client.get(EXPORT, {"by": "college"})), 1)
    labels = [r[0] for r in rows[1:-1]]
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in labels
    assert not any(str(label).startswith("=") for label in labels)


# --- statement counts ----------------------------------------------------------------------------

def _grow(world, colleges: int, per_college: int):
    for n in range(colleges):
        college = f.make_college(world.school, f"新增学院{n}")
        major = f.make_major(college)
        for i in range(per_college):
            placed(f.make_graduate(college=college, major=major), ("10", "75", "80", "70")[i % 4])


def test_dashboard_statements_do_not_grow(client, world):
    client.force_login(world.school_admin)
    client.get(DASHBOARD)  # warms the reference snapshot
    small, _ = queries_of(client, DASHBOARD)
    _grow(world, 5, 6)
    large, response = queries_of(client, DASHBOARD)
    assert large == small, (small, large)
    assert "新增学院4" in text_of(response)
    for by in ("major", "category", "origin_province"):
        assert queries_of(client, DASHBOARD, by=by)[0] <= small + 1


def test_province_statements_do_not_grow(client, world):
    client.force_login(world.province_admin)
    client.get(PROVINCE)
    small, _ = queries_of(client, PROVINCE)
    for n in range(4):
        school = f.make_school(name=f"新增大学{n}")
        college = f.make_college(school)
        for _ in range(3):
            placed(f.make_graduate(college=college), "10")
    large, response = queries_of(client, PROVINCE)
    assert large == small, (small, large)
    assert "新增大学3" in text_of(response)


# --- 冻结报表 ------------------------------------------------------------------------------------------

FREEZE = reverse("staff-statistics-freeze")
FROZEN = reverse("staff-statistics-frozen")


def test_school_admin_freezes_the_figures_and_reads_them_back(client, season):
    from django.utils import timezone

    from apps.statistics.models import FrozenReport

    w = season
    today = timezone.localdate()
    client.force_login(w.school_admin)
    response = client.post(FREEZE, {"cohort": "2027", "as_of": today.isoformat()})
    report = FrozenReport.objects.get(school=w.school)
    assert response.status_code == 302 and response["Location"] == reverse("staff-statistics-frozen-detail",
                                                                           args=[report.pk])
    html = text_of(client.get(response["Location"]))
    assert cell_text(html, "stats-rate") == "50.00%" and "计算机学院" in html and "66.67%" in html
    assert f"{today.year}年{today.month}月{today.day}日" in html
    category = html[html.index('id="frozen-category"'):]
    assert "40.00%" in category and "100.00%" in category  # 未登记 4 of 10; the 合计 line
    listing = text_of(client.get(FROZEN))
    assert "50.00%" in listing and today.isoformat() in listing

    book = workbook(client.get(reverse("staff-statistics-frozen-export", args=[report.pk])))
    total = total_row(book)
    assert (total[1], total[-2], float(total[-1])) == (10, 5, 50.0)
    assert AuditEntry.objects.filter(action="statistics.export", school_id=w.school.pk).exists()

    # the province reads it; the other school, and college staff, do not
    client.force_login(w.province_admin)
    assert client.get(reverse("staff-statistics-frozen-detail", args=[report.pk])).status_code == 200
    assert "安徽示例大学" in text_of(client.get(FROZEN, {"school": w.school.pk}))
    client.force_login(w.other_school_admin)
    assert client.get(reverse("staff-statistics-frozen-detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("staff-statistics-frozen-export", args=[report.pk])).status_code == 404
    assert "安徽示例大学" not in text_of(client.get(FROZEN))
    client.force_login(w.college_admin)
    assert client.get(FROZEN).status_code == 403
    assert client.get(reverse("staff-statistics-frozen-detail", args=[report.pk])).status_code == 403


@pytest.mark.parametrize("as_of, message", [
    ("later", "截止日期"),
    ("2999-08-31", "尚未到来"),
])
def test_a_refused_freeze_says_why_and_keeps_nothing(client, season, as_of, message):
    from apps.statistics.models import FrozenReport

    client.force_login(season.school_admin)
    response = client.post(FREEZE, {"cohort": "2027", "as_of": as_of}, follow=True)
    assert message in text_of(response)
    assert not FrozenReport.objects.exists()


def test_the_same_date_is_frozen_once(client, season):
    from django.utils import timezone

    from apps.statistics.models import FrozenReport

    client.force_login(season.school_admin)
    today = timezone.localdate().isoformat()
    client.post(FREEZE, {"cohort": "2027", "as_of": today})
    response = client.post(FREEZE, {"cohort": "2027", "as_of": today}, follow=True)
    assert "已冻结" in text_of(response)
    assert FrozenReport.objects.count() == 1


def test_only_school_staff_freeze(client, season):
    from apps.statistics.models import FrozenReport

    for user in (season.college_admin, season.province_admin):
        client.force_login(user)
        assert client.post(FREEZE, {"cohort": "2027", "as_of": "2026-01-01"}).status_code == 403
    assert not FrozenReport.objects.exists()


def test_category_mix_shows_shares_that_add_up(client, season):
    client.force_login(season.school_admin)
    html = text_of(client.get(DASHBOARD, {"by": "category"}))
    assert "占毕业生" in html
    rows = sheet_rows(workbook(client.get(EXPORT, {"by": "category"})), 1)
    assert rows[0][-1] == "占毕业生比例（%）"
    assert rows[-1][0] == "合计" and rows[-1][1] == 10 and rows[-1][-2] == 5 and float(rows[-1][-1]) == 100.0
    assert sum(r[1] for r in rows[1:-1]) == 10
    assert {r[0]: float(r[-1]) for r in rows[1:-1]}["未登记"] == 40.0  # 王小明, 李华 and two more
