"""Pages of 就业推荐表: the graduate's state and request, the staff queue and issue form, PDF
downloads, and the public verification page telling a 推荐表 from a 网签协议."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone

from apps.recommendations.models import RecommendationForm
from apps.recommendations.models import RecommendationStatus as S
from apps.recommendations.services import recommendation_request, recommendation_void
from tests.recommendations.conftest import OPINION, issue

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response) -> str:
    return response.content.decode()


def test_graduate_requests_and_sees_the_waiting_state(world):
    me = as_user(world.graduate_user)
    page = text(me.get("/me/recommendation/"))
    assert 'id="rec-state-title">未申请<' in page and "申请就业推荐表" in page
    response = me.post("/me/recommendation/request/", follow=True)
    assert 'id="rec-state-title">待院系填写<' in text(response)
    again = me.post("/me/recommendation/request/")
    assert again.status_code == 400 and "正在等待院系填写" in text(again)
    assert RecommendationForm.objects.filter(graduate=world.graduate).count() == 1


def test_me_page_links_to_the_form(world):
    assert 'href="/me/recommendation/"' in text(as_user(world.graduate_user).get("/me/"))


def test_graduate_downloads_the_issued_pdf_only_their_own(world):
    form = issue(world.college_admin, world.graduate)
    me = as_user(world.graduate_user)
    page = text(me.get("/me/recommendation/"))
    assert 'id="rec-state-title">已签发<' in page and form.verification_code in page
    response = me.get("/me/recommendation/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "就业推荐表-王小明.pdf" in unquote(response["Content-Disposition"])
    assert as_user(world.stranger_user).get("/me/recommendation/pdf/").status_code == 404
    assert as_user(world.college_admin).get("/me/recommendation/pdf/").status_code == 403


def test_staff_queue_shows_their_college_only(world):
    recommendation_request(actor=world.graduate_user)
    from tests.factories import graduate_user

    recommendation_request(actor=graduate_user(world.classmate))  # 外国语学院
    mine = text(as_user(world.college_admin).get("/staff/recommendations/"))
    assert "王小明" in mine and "李华" not in mine and "共 1 条" in mine
    school = text(as_user(world.school_admin).get("/staff/recommendations/"))
    assert "王小明" in school and "李华" in school
    assert "王小明" not in text(as_user(world.other_school_admin).get("/staff/recommendations/"))
    assert as_user(world.province_admin).get("/staff/recommendations/").status_code == 403
    found = text(as_user(world.school_admin).get("/staff/recommendations/", {"q": "2022010101"}))
    assert "王小明" in found and "李华" not in found


def test_staff_issue_through_the_page_then_reissue(world, resume):
    recommendation_request(actor=world.graduate_user)
    staff = as_user(world.college_admin)
    url = f"/staff/recommendations/graduates/{world.graduate.pk}/"
    page = text(staff.get(url))
    assert "推荐表内容预览" in page and "校级一等奖学金" in page and world.graduate.id_number not in page
    today = timezone.localdate().isoformat()
    bad = staff.post(url + "issue/", {"opinion": "", "reviewer_name": "张老师", "opinion_date": today})
    assert bad.status_code == 400 and "请填写院系推荐意见" in text(bad)
    done = staff.post(url + "issue/", {"opinion": OPINION, "reviewer_name": "张老师", "opinion_date": today},
                      follow=True)
    first = RecommendationForm.objects.get(graduate=world.graduate, status=S.ISSUED)
    assert first.verification_code in text(done) and 'id="rec-reissue-note"' in text(done)
    staff.post(url + "issue/", {"opinion": "更新后的意见。", "reviewer_name": "张老师", "opinion_date": today})
    first.refresh_from_db()
    assert first.status == S.VOID and first.replaced_by.status == S.ISSUED
    history = text(staff.get(url))
    assert "已作废" in history and first.verification_code in history
    assert staff.get(f"/staff/recommendations/forms/{first.pk}/pdf/").status_code == 200


def test_other_college_staff_are_refused_everywhere(world):
    form = issue(world.college_admin, world.graduate)
    other = as_user(world.other_college_admin)
    url = f"/staff/recommendations/graduates/{world.graduate.pk}/"
    assert other.get(url).status_code == 404
    assert other.post(url + "issue/", {"opinion": OPINION, "reviewer_name": "李", "opinion_date": "2026-01-01"}
                      ).status_code == 404
    assert other.get(f"/staff/recommendations/forms/{form.pk}/pdf/").status_code == 404
    assert other.post(f"/staff/recommendations/forms/{form.pk}/void/", {"reason": "误签"}).status_code == 404
    form.refresh_from_db()
    assert form.status == S.ISSUED


def test_staff_void_through_the_page(world):
    form = issue(world.college_admin, world.graduate)
    staff = as_user(world.college_admin)
    refused = staff.post(f"/staff/recommendations/forms/{form.pk}/void/", {"reason": ""})
    assert refused.status_code == 400 and "请填写作废原因" in text(refused)
    staff.post(f"/staff/recommendations/forms/{form.pk}/void/", {"reason": "信息有误"})
    form.refresh_from_db()
    assert form.status == S.VOID and form.void_reason == "信息有误"


def test_verify_page_tells_a_recommendation_from_an_agreement_and_shows_void_after_reissue(world):
    first = issue(world.college_admin, world.graduate)
    public = Client()
    page = text(public.get(f"/verify/{first.verification_code}/"))
    assert "就业推荐表验证" in page and 'id="verify-document">就业推荐表<' in page
    assert '<strong id="verify-status" class="badge good">有效</strong>' in page
    assert '<dd id="verify-name">王*明</dd>' in page and "计算机学院" in page and "网签协议验证" not in page
    second = issue(world.college_admin, world.graduate)
    old = text(public.get(f"/verify/{first.verification_code}/"))
    assert '<strong id="verify-status" class="badge bad">已作废</strong>' in old
    assert 'id="verify-void"' in old and "新的推荐表替代" in old
    new = text(public.get(f"/verify/{second.verification_code.lower()}/"))
    assert '<strong id="verify-status" class="badge good">有效</strong>' in new
    for secret in (world.graduate.id_number, world.graduate.id_number[-4:] + "</dd>"):
        assert secret not in old + new


def test_verify_page_says_void_for_a_voided_form(world):
    form = issue(world.college_admin, world.graduate)
    recommendation_void(actor=world.college_admin, form=form, reason="误签")
    page = text(Client().get(f"/verify/{form.verification_code}/"))
    assert "已作废" in page and "新的推荐表替代" not in page


def test_unknown_recommendation_code_is_a_miss_and_counts_against_the_throttle(world):
    from apps.core import throttle

    response = Client().get("/verify/TJ2345678923/")
    assert response.status_code == 404 and ">未找到<" in text(response)
    assert throttle.peek("verify-code", "127.0.0.1").count == 1


def test_an_uploaded_recommendation_pdf_is_recognised(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = issue(world.college_admin, world.graduate)
    data = form.pdf.read()
    public = Client()
    ok = public.post("/verify/", {"pdf": SimpleUploadedFile("推荐表.pdf", data, content_type="application/pdf")})
    assert "平台签发的就业推荐表" in text(ok) and "推荐表有效" in text(ok)
    issue(world.college_admin, world.graduate)
    stale = public.post("/verify/", {"pdf": SimpleUploadedFile("推荐表.pdf", data, content_type="application/pdf")})
    assert "已作废" in text(stale)


def test_queue_reads_a_constant_number_of_statements(world, django_assert_max_num_queries):
    from tests import factories as f

    staff = as_user(world.school_admin)
    staff.get("/staff/recommendations/")  # warm the per-process snapshots
    for n in range(3):
        g = f.make_graduate(college=world.college, major=world.major, name=f"学生{n}")
        recommendation_request(actor=f.graduate_user(g))
    with django_assert_max_num_queries(12) as few:
        staff.get("/staff/recommendations/?status=all")
    for n in range(12):
        g = f.make_graduate(college=world.college, major=world.major, name=f"同学{n}")
        recommendation_request(actor=f.graduate_user(g))
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff.get("/staff/recommendations/?status=all")
