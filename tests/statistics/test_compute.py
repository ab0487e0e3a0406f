"""毕业去向落实率 against a hand-computed cohort (tests/statistics/conftest.py::cohort_world).

The cohort, 2027届 of 安徽示例大学 (18 graduates; "ok" = 审核通过):

  计算机学院 (10)                           外国语学院 (8)
  graduate  网签 → 解约 → 70 draft           classmate  no registration
  a1  10 ok  女 就业困难 非师范 北京 生源确认     b1  76 ok  女 普通师范 安徽 生源确认
  a2  11 ok  女 online signing              b2  85 ok  女 普通师范
  a3  75 ok                                  b3 271 ok  女
  a4 801 ok                                  b4  70 ok  (未就业: not placed)
  a5  10 submitted                           b5  46 ok  硕士
  a6  10 college_approved                    b6  80 submitted
  a7  10 returned                            b7  no registration, 硕士
  a8  10 draft
  a9  no registration, 家庭困难
  (graduate: 生源 confirmed, 安徽 蜀山区)

  Not in scope: a 2026 graduate (12 ok) and another school's graduate (10 ok).

Placed: A = a1 a2 (单位) + a3 (创业) + a4 (升学) = 4 of 10 → 40.00
        B = b3 b5 (单位) + b1 (自由职业) + b2 (升学) = 4 of 8 → 50.00
School: 单位 4, 自主创业 1, 自由职业 1, 升学 2 = 8 of 18 → 44.44 (44.444…)
审核积压: a5 a6 b6 = 3; online: a2 = 1 of 4 单位 → 25.00; 生源确认 3; 解约 1.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.core.errors import DomainError, Forbidden, NotFound
from apps.statistics.compute import (
    province_ranking,
    stats_breakdown,
    stats_overview,
)

pytestmark = pytest.mark.django_db

D = Decimal


def table(rows):
    """(label, graduates, unit, self_employed, freelance, further_study, placed, rate) per row."""
    return [(r.label, r.graduates, r.unit, r.self_employed, r.freelance, r.further_study, r.placed, r.rate)
            for r in rows]


def test_school_overview_equals_the_hand_numbers(cohort_world):
    w = cohort_world
    o = stats_overview(actor=w.school_admin, cohort=2027)
    t = o.total
    assert (t.graduates, t.unit, t.self_employed, t.freelance, t.further_study, t.placed) == (18, 4, 1, 1, 2, 8)
    assert t.rate == D("44.44")
    assert o.pending_review == 3
    assert o.online_signed == 1
    assert o.online_share == D("25.00")
    assert o.origin_confirmed == 3
    assert o.terminations == 1
    assert o.scope_label == "安徽示例大学"
    assert o.cohort == 2027


def test_default_cohort_is_the_schools_current_one(cohort_world):
    assert stats_overview(actor=cohort_world.school_admin).total.graduates == 18


def test_terminated_graduate_no_longer_counts(cohort_world):
    """world.graduate signed online (单位就业) and the termination was approved: the
    destination is back to 待就业 draft, so they stay in the denominator only."""
    w = cohort_world
    w.graduate.destination.refresh_from_db()
    assert w.graduate.destination.status == "draft"
    rows = {r.key: r for r in stats_breakdown(actor=w.school_admin, cohort=2027, by="category")}
    assert rows[""].graduates == 6  # 未登记 includes the reset one


def test_breakdown_by_college(cohort_world):
    rows = stats_breakdown(actor=cohort_world.school_admin, cohort=2027, by="college")
    # ordered by label: 外 (U+5916) before 计 (U+8BA1)
    assert table(rows) == [
        ("外国语学院", 8, 2, 0, 1, 1, 4, D("50.00")),
        ("计算机学院", 10, 2, 1, 0, 1, 4, D("40.00")),
    ]
    assert rows[1].key == str(cohort_world.college.pk)


def test_breakdown_by_major(cohort_world):
    assert table(stats_breakdown(actor=cohort_world.school_admin, cohort=2027, by="major")) == [
        ("英语", 8, 2, 0, 1, 1, 4, D("50.00")),
        ("软件工程", 10, 2, 1, 0, 1, 4, D("40.00")),
    ]


def test_breakdown_by_gender(cohort_world):
    # 女: a1 a2 b1 b2 b3, all placed → 5/5; 男: the other 13, placed a3 a4 b5 → 3/13 = 23.0769…
    assert table(stats_breakdown(actor=cohort_world.school_admin, cohort=2027, by="gender")) == [
        ("男", 13, 1, 1, 0, 1, 3, D("23.08")),
        ("女", 5, 3, 0, 1, 1, 5, D("100.00")),
    ]


def test_breakdown_by_education_level(cohort_world):
    # 硕士 (11): b5 placed, b7 not → 1/2; 本科 (31): 16 graduates, 7 placed → 43.75; table order 11 before 31
    assert table(stats_breakdown(actor=cohort_world.school_admin, cohort=2027, by="education_level")) == [
        ("硕士生毕业", 2, 1, 0, 0, 0, 1, D("50.00")),
        ("本科生毕业", 16, 3, 1, 1, 2, 7, D("43.75")),
    ]


def test_breakdown_by_hardship_with_unfilled_last(cohort_world):
    # 就业困难 (1): a1 placed; 家庭困难 (2): a9 not; 未填写: 16, placed 7
    assert table(stats_breakdown(actor=cohort_world.school_admin, cohort=2027, by="hardship")) == [
        ("就业困难", 1, 1, 0, 0, 0, 1, D("100.00")),
        ("家庭困难", 1, 0, 0, 0, 0, 0, D("0.00")),
        ("未填写", 16, 3, 1, 1, 2, 7, D("43.75")),
    ]


def test_breakdown_by_normal_student(cohort_world):
    # 普通师范生 (1): b1 b2 → 2/2; 非师范生 (2): a1 → 1/1; 未填写: 15, placed a2 a3 a4 b3 b5 → 33.33
    assert table(stats_breakdown(actor=cohort_world.school_admin, cohort=2027, by="normal_student")) == [
        ("普通师范生", 2, 0, 0, 1, 1, 2, D("100.00")),
        ("非师范生", 1, 1, 0, 0, 0, 1, D("100.00")),
        ("未填写", 15, 3, 1, 0, 1, 5, D("33.33")),
    ]


def test_breakdown_by_origin_province(cohort_world):
    # 北京 (11): a1 placed; 安徽 (34): graduate (not), b1 (自由职业); 未填写: 15, placed 6
    rows = stats_breakdown(actor=cohort_world.school_admin, cohort=2027, by="origin_province")
    assert table(rows) == [
        ("北京市", 1, 1, 0, 0, 0, 1, D("100.00")),
        ("安徽省", 2, 0, 0, 1, 0, 1, D("50.00")),
        ("未填写", 15, 3, 1, 0, 2, 6, D("40.00")),
    ]
    assert [r.key for r in rows] == ["11", "34", ""]


def test_breakdown_by_category_adds_up_to_all_graduates(cohort_world):
    rows = stats_breakdown(actor=cohort_world.school_admin, cohort=2027, by="category")
    # one row per approved category (271 → 27, 801 → 80), in the code table's order; then
    # 审核中 (a5 a6 b6) and 未登记 (graduate a7 a8 a9 classmate b7); each rate = share of 18
    assert [(r.key, r.label, r.graduates, r.placed, r.rate) for r in rows] == [
        ("10", "签就业协议形式就业", 1, 1, D("5.56")),
        ("11", "签劳动合同形式就业", 1, 1, D("5.56")),
        ("27", "科研助理", 1, 1, D("5.56")),
        ("46", "应征义务兵", 1, 1, D("5.56")),
        ("75", "自主创业", 1, 1, D("5.56")),
        ("76", "自由职业", 1, 1, D("5.56")),
        ("80", "升学", 1, 1, D("5.56")),
        ("85", "出国、出境", 1, 1, D("5.56")),
        ("70", "待就业", 1, 0, D("5.56")),  # 1/18
        ("pending", "审核中", 3, 0, D("16.67")),  # 3/18
        ("", "未登记", 6, 0, D("33.33")),  # 6/18
    ]
    assert sum(r.graduates for r in rows) == 18
    assert [r.key for r in rows if r.self_employed] == ["75"]
    assert [r.key for r in rows if r.further_study] == ["80", "85"]


def test_college_admin_sees_only_their_college(cohort_world):
    w = cohort_world
    o = stats_overview(actor=w.college_admin, cohort=2027)
    assert (o.total.graduates, o.total.placed, o.total.rate) == (10, 4, D("40.00"))
    assert (o.pending_review, o.online_signed, o.origin_confirmed, o.terminations) == (2, 1, 2, 1)
    assert o.scope_label == "安徽示例大学 · 计算机学院"
    other = stats_overview(actor=w.other_college_admin, cohort=2027)
    assert (other.total.graduates, other.total.placed, other.total.rate) == (8, 4, D("50.00"))
    assert (other.pending_review, other.online_signed, other.origin_confirmed, other.terminations) == (1, 0, 1, 0)
    assert [r.label for r in stats_breakdown(actor=w.college_admin, cohort=2027, by="college")] == ["计算机学院"]
    # their own school and college ids are accepted
    same = stats_overview(actor=w.college_admin, cohort=2027, school_id=w.school.pk, college_id=w.college.pk)
    assert same.total.graduates == 10


@pytest.mark.parametrize("kwargs", [
    {"college_id": "other_college"}, {"school_id": "other_school"}, {"college_id": "far_college"},
    {"college_id": 999999}, {"school_id": "abc"}, {"college_id": 10**25}, {"school_id": -3},
])
def test_college_admin_out_of_scope_ids_are_not_found(cohort_world, kwargs):
    w = cohort_world
    resolved = {k: getattr(w, v).pk if isinstance(v, str) and hasattr(w, v) else v for k, v in kwargs.items()}
    with pytest.raises(NotFound):
        stats_overview(actor=w.college_admin, cohort=2027, **resolved)
    with pytest.raises(NotFound):
        stats_breakdown(actor=w.college_admin, cohort=2027, by="gender", **resolved)


def test_school_admin_filters_a_college_and_never_another_school(cohort_world):
    w = cohort_world
    assert stats_overview(actor=w.school_admin, cohort=2027, college_id=w.other_college.pk).total.placed == 4
    for kwargs in ({"school_id": w.other_school.pk}, {"college_id": w.far_college.pk}):
        with pytest.raises(NotFound):
            stats_overview(actor=w.school_admin, cohort=2027, **kwargs)
    with pytest.raises(NotFound):
        stats_overview(actor=w.other_school_admin, cohort=2027, school_id=w.school.pk)


def test_refusals(cohort_world):
    w = cohort_world
    for actor in (w.graduate_user, w.employer_user):
        with pytest.raises(Forbidden):
            stats_overview(actor=actor, cohort=2027)
    with pytest.raises(DomainError, match="不支持的分组维度"):
        stats_breakdown(actor=w.school_admin, cohort=2027, by="religion")
    with pytest.raises(DomainError, match="仅供省级"):
        stats_breakdown(actor=w.school_admin, cohort=2027, by="school")
    with pytest.raises(DomainError, match="届别"):
        stats_overview(actor=w.school_admin, cohort="二〇二七")


def test_province_without_snapshots_is_computed_live(cohort_world):
    w = cohort_world
    o = stats_overview(actor=w.province_admin, cohort=2027)
    # the school's 18 (8 placed) + the other school's stranger (10 ok) = 9 of 19 → 47.368…
    assert (o.total.graduates, o.total.placed, o.total.rate) == (19, 9, D("47.37"))
    assert o.scope_label == "安徽省"
    ranks = province_ranking(actor=w.province_admin, cohort=2027)
    assert [(r.rank, r.school_name, r.graduates, r.placed, r.rate) for r in ranks] == [
        (1, "江淮理工学院", 1, 1, D("100.00")),
        (2, "安徽示例大学", 18, 8, D("44.44")),
    ]
    assert ranks[1].parts == {"unit": 4, "self_employed": 1, "freelance": 1, "further_study": 2}
    rows = stats_breakdown(actor=w.province_admin, cohort=2027, by="school")
    assert table(rows) == [
        ("安徽示例大学", 18, 4, 1, 1, 2, 8, D("44.44")),
        ("江淮理工学院", 1, 1, 0, 0, 0, 1, D("100.00")),
    ]
    gender = stats_breakdown(actor=w.province_admin, cohort=2027, by="gender")
    assert table(gender)[0] == ("男", 14, 2, 1, 0, 1, 4, D("28.57"))


def test_province_staff_only_for_the_ranking(cohort_world):
    with pytest.raises(Forbidden):
        province_ranking(actor=cohort_world.school_admin, cohort=2027)


@pytest.mark.parametrize("by", ["college", "major", "gender", "origin_province", "category", "hardship"])
def test_query_count_is_constant(cohort_world, django_assert_max_num_queries, by):
    from tests import factories as f

    w = cohort_world
    stats_overview(actor=w.school_admin, cohort=2027)  # warm the reference snapshot
    stats_breakdown(actor=w.school_admin, cohort=2027, by="origin_province")  # … and its divisions
    # overview: the school, one aggregate, the terminations; breakdown: the school, one GROUP BY,
    # the college / major names
    with django_assert_max_num_queries(6) as small:
        stats_overview(actor=w.school_admin, cohort=2027)
        stats_breakdown(actor=w.school_admin, cohort=2027, by=by)
    for n in range(12):  # more graduates in more colleges and majors
        college = f.make_college(w.school)
        f.make_graduate(college=college, origin_division_id="110101" if n % 2 else "340104",
                        hardship_code=str(n % 3))
    with django_assert_max_num_queries(len(small.captured_queries)):
        stats_overview(actor=w.school_admin, cohort=2027)
        stats_breakdown(actor=w.school_admin, cohort=2027, by=by)
