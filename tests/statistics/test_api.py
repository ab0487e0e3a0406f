"""/api/v1/statistics/: each endpoint's numbers equal the hand-computed cohort
(test_compute.py), scoping answers 404 for another college or school, refusals in Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.statistics.snapshots import stats_snapshot_all

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_overview(api_client, cohort_world):
    w = cohort_world
    body = api_client.login_as(w.school_admin).get("/statistics/overview", cohort=2027).json()
    assert body["total"]["graduates"] == 18 and body["total"]["placed"] == 8
    assert body["total"]["rate"] == "44.44"
    assert (body["pending_review"], body["online_signed"], body["online_share"], body["terminations"]) == (
        3, 1, "25.00", 1)
    college = api_client.get("/statistics/overview", college_id=w.college.pk).json()  # default cohort
    assert (college["cohort"], college["total"]["graduates"], college["scope_label"]) == (
        2027, 10, "安徽示例大学 · 计算机学院")


def test_breakdown_and_unknown_dimension(api_client, cohort_world):
    w = cohort_world
    api_client.login_as(w.school_admin)
    body = api_client.get("/statistics/breakdown", by="college", cohort=2027).json()
    assert body["by_label"] == "院系"
    assert [(r["label"], r["graduates"], r["placed"], r["rate"]) for r in body["rows"]] == [
        ("外国语学院", 8, 4, "50.00"), ("计算机学院", 10, 4, "40.00")]
    response = api_client.get("/statistics/breakdown", by="salary")
    assert response.status_code == 422
    assert "不支持的分组维度" in response.json()["error"]["message"]
    assert api_client.get("/statistics/breakdown").status_code == 422  # by is required
    school = api_client.get("/statistics/breakdown", by="school")
    assert school.status_code == 400 and "省级" in school.json()["error"]["message"]


def test_college_admin_is_pinned(api_client, cohort_world):
    w = cohort_world
    api_client.login_as(w.college_admin)
    assert api_client.get("/statistics/overview").json()["total"]["graduates"] == 10
    rows = api_client.get("/statistics/breakdown", by="gender").json()["rows"]
    assert sum(r["graduates"] for r in rows) == 10
    for params in ({"college_id": w.other_college.pk}, {"school_id": w.other_school.pk},
                   {"college_id": w.far_college.pk}):
        for path in ("/statistics/overview", "/statistics/trend"):
            response = api_client.get(path, **params)
            assert response.status_code == 404, (path, params)
            assert "计算机学院" not in response.content.decode()
    assert api_client.get("/statistics/province").status_code == 403
    assert api_client.get("/statistics/frozen").status_code == 403


def test_trend_and_province(api_client, cohort_world):
    w = cohort_world
    stats_snapshot_all()
    api_client.login_as(w.school_admin)
    points = api_client.get("/statistics/trend").json()["points"]
    assert [(p["day"], p["placed"], p["rate"]) for p in points] == [(TODAY.isoformat(), 8, "44.44")]
    assert api_client.get("/statistics/province").status_code == 403
    body = api_client.login_as(w.province_admin).get("/statistics/province", cohort=2027).json()
    assert [(s["rank"], s["school_name"], s["rate"], s["unit"]) for s in body["schools"]] == [
        (1, "江淮理工学院", "100.00", 1), (2, "安徽示例大学", "44.44", 4)]
    assert body["overview"]["total"]["graduates"] == 19
    assert api_client.get("/statistics/overview", cohort=1999).status_code == 422


def test_freeze_then_read(api_client, cohort_world):
    w = cohort_world
    api_client.login_as(w.school_admin)
    payload = {"school_id": w.school.pk, "cohort": 2027, "as_of": TODAY.isoformat()}
    created = api_client.post("/statistics/freeze", payload)
    assert created.status_code == 201
    report = created.json()
    assert (report["graduates"], report["placed"], report["rate"]) == (18, 8, "44.44")
    assert report["breakdowns"]["gender"][0]["label"] == "男"
    again = api_client.post("/statistics/freeze", payload)
    assert again.status_code == 400 and "已冻结" in again.json()["error"]["message"]
    future = api_client.post("/statistics/freeze", {**payload, "as_of": (TODAY + timedelta(days=3)).isoformat()})
    assert future.status_code == 400 and "尚未到来" in future.json()["error"]["message"]
    listed = api_client.get("/statistics/frozen").json()
    assert [item["id"] for item in listed["items"]] == [report["id"]] and listed["count"] == 1
    detail = api_client.get(f"/statistics/frozen/{report['id']}").json()
    assert detail["overview"]["total"]["placed"] == 8
    province = api_client.login_as(w.province_admin)
    assert province.get(f"/statistics/frozen/{report['id']}").status_code == 200
    assert province.post("/statistics/freeze", payload).status_code == 403
    other = api_client.login_as(w.other_school_admin)
    assert other.get(f"/statistics/frozen/{report['id']}").status_code == 404
    assert other.post("/statistics/freeze", {**payload, "as_of": "2026-08-31"}).status_code == 404


def test_api_statement_count_does_not_grow_with_the_school(api_client, cohort_world, django_assert_max_num_queries):
    from tests import factories as f

    w = cohort_world
    api_client.login_as(w.school_admin)

    def read():
        assert api_client.get("/statistics/overview").status_code == 200
        assert api_client.get("/statistics/breakdown", by="major").status_code == 200

    read()  # warm the reference snapshot
    with django_assert_max_num_queries(30) as few:
        read()
    for _ in range(10):
        f.make_graduate(college=f.make_college(w.school))
    with django_assert_max_num_queries(len(few.captured_queries)):
        read()
