"""举报 pages: the graduate's form (warning and hotline, target, refusals), list and detail; the
staff queue (scope, constant statements), detail and decision."""

from __future__ import annotations

import pytest

from apps.jobs.selectors import open_postings
from apps.reports.models import FraudReport, ReportStatus
from apps.reports.reasons import HOTLINE, WARNING
from tests import factories as f
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan, queries_of
from tests.reports.conftest import fake_image, make_posting, png

pytestmark = pytest.mark.django_db


def test_services_page_links_my_reports_and_keeps_the_hotline(client, world):
    client.force_login(world.graduate_user)
    html = client.get("/services/").content.decode()
    assert 'href="/services/reports/"' in html and "我的举报" in html and HOTLINE in html


def test_form_shows_warning_hotline_and_target_then_files(client, world, posting):
    client.force_login(world.graduate_user)
    html = client.get("/services/report/", {"posting": posting.pk}).content.decode()
    assert WARNING in html and f'href="tel:{HOTLINE}"' in html
    assert posting.title in html and world.employer.name in html and "收取费用" in html
    response = client.post(f"/services/report/?posting={posting.pk}", {
        "posting": posting.pk, "reason": "training_loan", "details": "要求办理培训贷才能入职", "images": [png()]})
    report = FraudReport.objects.get()
    assert response.status_code == 302 and response.url == f"/services/reports/{report.pk}/"
    detail = client.get(response.url).content.decode()
    assert "诱导培训贷款" in detail and "要求办理培训贷才能入职" in detail and "待处理" in detail
    assert f"/reports/{report.pk}/images/" in detail
    listing = client.get("/services/reports/").content.decode()
    assert f'data-report="{report.pk}"' in listing and posting.title in listing


def test_form_refusals_keep_the_input_and_store_nothing(client, world, posting):
    client.force_login(world.graduate_user)
    response = client.post("/services/report/", {"posting": posting.pk, "reason": "fee", "details": "被收费",
                                                  "images": [fake_image()]})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="error-images"' in html and "被收费" in html
    response = client.post("/services/report/", {"posting": posting.pk, "reason": "fee", "details": ""})
    assert response.status_code == 400 and "请填写举报内容" in response.content.decode()
    assert not FraudReport.objects.exists()


def test_form_for_a_posting_not_open_to_the_graduate(client, world):
    far = make_posting(world.employer, school=world.other_school, title="外校渠道职位")
    client.force_login(world.graduate_user)
    html = client.get("/services/report/", {"posting": far.pk}).content.decode()
    assert 'id="target-error"' in html and 'id="report-form"' not in html and far.title not in html
    assert HOTLINE in html  # the hotline stays: the graduate can still call
    client.post("/services/report/", {"posting": far.pk, "reason": "fee", "details": "收费"})
    assert not FraudReport.objects.exists()


def test_other_graduates_and_other_schools_see_404_college_staff_403(client, world, file_report):
    report = file_report(images=[png()])
    image = report.images.get()
    client.force_login(world.stranger_user)
    assert client.get(f"/services/reports/{report.pk}/").status_code == 404
    assert client.get(f"/reports/{report.pk}/images/{image.pk}/").status_code == 404
    client.force_login(world.other_school_admin)
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 404
    assert client.post(f"/staff/reports/{report.pk}/decide/", {"outcome": "no_fraud", "note": "x"}).status_code == 404
    client.force_login(world.college_admin)
    assert client.get("/staff/reports/").status_code == 403
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 403
    assert FraudReport.objects.get().status == ReportStatus.OPEN
    client.force_login(world.school_admin)
    assert client.get(f"/reports/{report.pk}/images/{image.pk}/").status_code == 200


def test_staff_decide_on_the_page_and_the_graduate_reads_the_outcome(client, world, posting, file_report):
    report = file_report()
    client.force_login(world.school_admin)
    html = client.get(f"/staff/reports/{report.pk}/").content.decode()
    assert 'id="decide-form"' in html and world.graduate.name in html and posting.title in html
    response = client.post(f"/staff/reports/{report.pk}/decide/", {"outcome": "no_fraud", "take_down": "1",
                                                                   "note": "x"})
    assert response.status_code == 400 and "不能下架职位或停用单位" in response.content.decode()
    response = client.post(f"/staff/reports/{report.pk}/decide/", {"outcome": "posting_taken_down",
                                                                   "note": "已核实收取服装费"})
    assert response.status_code == 302
    assert not open_postings().filter(pk=posting.pk).exists()
    assert 'id="decide-form"' not in client.get(f"/staff/reports/{report.pk}/").content.decode()
    client.force_login(world.graduate_user)
    html = client.get(f"/services/reports/{report.pk}/").content.decode()
    assert "职位已下架" in html and "已核实收取服装费" in html


def test_school_suspension_refusal_is_shown_on_the_page(client, world, file_report):
    report = file_report()
    client.force_login(world.school_admin)
    html = client.get(f"/staff/reports/{report.pk}/").content.decode()
    assert 'id="suspend-refusal"' in html and 'id="d-suspend"' not in html and 'id="d-take-down"' in html
    response = client.post(f"/staff/reports/{report.pk}/decide/", {"outcome": "employer_suspended", "note": "收费"})
    assert response.status_code == 403 and 'id="form-error"' in response.content.decode()
    assert FraudReport.objects.get().status == ReportStatus.OPEN


def _reports(world, n, start=0, school=None):
    school = school or world.school
    college = world.college if school == world.school else world.far_college
    major = world.major if school == world.school else world.far_major
    for i in range(start, start + n):
        g = f.make_graduate(college=college, major=major, name=f"举报人{i:03d}", student_number=f"2031{i:06d}")
        p = make_posting(world.employer, school=school, title=f"职位{i}")
        FraudReport.objects.create(reporter=g, school=school, employer=world.employer, posting=p, reason="fee",
                                   details="收费" * 500)


@pytest.mark.parametrize("persona,status", [("school_admin", "open"), ("province_admin", "all")])
def test_queue_page_costs_the_same_statements_with_1_and_40_reports(client, world, persona, status):
    client.force_login(getattr(world, persona))
    _reports(world, 1)
    client.get("/staff/reports/", {"status": status})  # warm the reference snapshot
    one, response = queries_of(client, "/staff/reports/", status=status)
    assert response.content.decode().count("<tr data-report=") == 1
    _reports(world, 39, start=1)
    forty, response = queries_of(client, "/staff/reports/", status=status)
    html = response.content.decode()
    assert html.count("<tr data-report=") == 30 and "共 40 条" in html and "下一页" in html
    assert forty <= one + 1  # the bounded COUNT, read only when the list spans pages


def test_queue_scope_and_open_first(client, world):
    _reports(world, 2)
    _reports(world, 1, start=10, school=world.other_school)
    first = FraudReport.objects.filter(school=world.school).order_by("id").first()
    FraudReport.objects.filter(pk=first.pk).update(status=ReportStatus.CLOSED, outcome="no_fraud")
    client.force_login(world.school_admin)
    html = client.get("/staff/reports/").content.decode()
    assert html.count("<tr data-report=") == 1  # 待处理 only, own school
    html = client.get("/staff/reports/", {"status": "all"}).content.decode()
    assert html.count("<tr data-report=") == 2
    assert html.index("举报人001") < html.index("举报人000")  # the open one first
    client.force_login(world.other_school_admin)
    assert client.get("/staff/reports/").content.decode().count("<tr data-report=") == 1
    client.force_login(world.province_admin)
    assert client.get("/staff/reports/", {"status": "all"}).content.decode().count("<tr data-report=") == 3


@needs_postgresql
@pytest.mark.parametrize("persona", ["school_admin", "province_admin"])
@pytest.mark.parametrize("status", ["open", "closed", "all"])
def test_postgresql_reads_the_queue_page_from_an_index_in_its_order(world, persona, status):
    from apps.reports.selectors import reports_queue

    _reports(world, 3)
    plan = page_plan(reports_queue(actor=getattr(world, persona), status=status))
    assert_index_ordered(plan, "reports_fraudreport")


def test_form_from_an_employer_page_files_a_report_about_the_employer(client, world):
    client.force_login(world.graduate_user)
    html = client.get("/services/report/", {"employer": world.employer.pk}).content.decode()
    assert world.employer.name in html and 'id="target-posting"' not in html
    response = client.post("/services/report/", {"employer": world.employer.pk, "reason": "harassment",
                                                  "details": "面试官言语骚扰"})
    assert response.status_code == 302
    report = FraudReport.objects.get()
    assert report.posting_id is None and report.employer_id == world.employer.pk


def test_my_reports_costs_the_same_statements_with_1_and_25_reports(client, world):
    from apps.reports.models import FraudReportImage

    def add(n, start):
        for i in range(start, start + n):
            p = make_posting(world.employer, school=world.school, title=f"职位{i}")
            r = FraudReport.objects.create(reporter=world.graduate, school=world.school, employer=world.employer,
                                           posting=p, reason="fee", details="收费")
            FraudReportImage.objects.create(report=r, file=f"reports/test/{r.pk}.png", width=1, height=1, size=1)

    client.force_login(world.graduate_user)
    add(1, 0)
    client.get("/services/reports/")
    one, response = queries_of(client, "/services/reports/")
    assert response.content.decode().count("data-report=") == 1
    add(24, 1)
    many, response = queries_of(client, "/services/reports/")
    assert response.content.decode().count("data-report=") == 20 and "下一页" in response.content.decode()
    assert many == one
