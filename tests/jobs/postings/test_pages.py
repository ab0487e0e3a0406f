"""The posting pages: forms keep what was typed, script shows as text, lists keep a constant
number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.jobs.models import Posting, PostingPlace, PostingStatus
from apps.jobs.search import posting_index_columns
from tests import factories as f

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def make_posting(world, *, status=PostingStatus.PENDING, school=None, title="软件工程师", employer=None):
    employer = employer or world.employer
    now = timezone.now()
    p = Posting(employer=employer, channel_province_id=world.province.pk, channel_school=school or world.school,
                title=title, category_code="13", openings=1, salary_min=5000, salary_max=8000,
                description=f"开发。{SCRIPT}", contact_name="王经理", contact_phone="0551-12345678",
                deadline=timezone.localdate() + timedelta(days=10), status=status, submitted_at=now)
    p.search_title, p.search_body = posting_index_columns(p)
    p.save()
    PostingPlace.objects.create(posting=p, county_code="340104", city_code="3401", province_code="34")
    return p


def test_script_in_a_description_is_shown_as_text_on_the_staff_page(world, client):
    posting = make_posting(world)
    client.force_login(world.school_admin)
    html = client.get(f"/staff/postings/{posting.pk}/").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert 'id="approve"' in html


def test_other_school_staff_get_404_for_the_detail_page(world, client):
    posting = make_posting(world)
    client.force_login(world.other_school_admin)
    assert client.get(f"/staff/postings/{posting.pk}/").status_code == 404


def test_reject_without_reason_keeps_the_page_with_a_message(world, client):
    posting = make_posting(world)
    client.force_login(world.school_admin)
    r = client.post(f"/staff/postings/{posting.pk}/review/", {"decision": "reject", "reason": ""})
    assert r.status_code == 400 and "驳回时请填写原因" in r.content.decode()
    assert Posting.objects.get(pk=posting.pk).status == PostingStatus.PENDING


def test_new_form_prefills_contact_and_keeps_input_after_a_refusal(world, client):
    world.employer.contact_name = "刘主任"
    world.employer.save()
    client.force_login(world.employer_user)
    html = client.get("/employer/postings/new/").content.decode()
    assert 'value="刘主任"' in html
    r = client.post("/employer/postings/new/", {"title": "测试工程师", "salary_min": "9000", "salary_max": "6000",
                                                "channel": "province"})
    html = r.content.decode()
    assert r.status_code == 400 and "月薪下限不能高于上限" in html and 'value="测试工程师"' in html
    assert not Posting.objects.exists()


def test_employer_form_offers_only_allowed_channels(world, client):
    employer = f.make_employer("91340100MA2N0YYY02", "江淮示例公司", verifier_school=world.school)
    client.force_login(f.make_staff("employer", employer=employer, username="school-verified"))
    html = client.get("/employer/postings/new/").content.decode()
    assert f"{world.school.name}渠道" in html and world.other_school.name not in html and "全省渠道" not in html


def test_unverified_employer_sees_why_it_cannot_post(world, client):
    world.employer.status = "pending"
    world.employer.save()
    client.force_login(world.employer_user)
    html = client.get("/employer/postings/new/").content.decode()
    assert "尚未通过认证" in html and 'id="posting-form"' not in html


def _queue_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona, url", [("school_admin", "/staff/postings/?status=all"),
                                          ("province_admin", "/staff/postings/?channel=all&status=all"),
                                          ("employer_user", "/employer/postings/")])
def test_lists_keep_a_constant_number_of_queries(world, client, persona, url):
    client.force_login(getattr(world, persona))
    client.get(url)  # warm the reference snapshot
    for i in range(3):
        make_posting(world, title=f"职位{i}")
    small = _queue_queries(client, url)
    other = f.make_employer("91340100MA2N0ZZZ03", "另一家公司")
    for i in range(25):
        make_posting(world, title=f"职位B{i}", employer=other if i % 2 else None,
                     status=PostingStatus.PUBLISHED if i % 3 else PostingStatus.PENDING)
    assert _queue_queries(client, url) == small


def test_queue_shows_pending_first_by_default(world, client):
    make_posting(world, status=PostingStatus.PUBLISHED, title="已发布的职位")
    pending = make_posting(world, title="待审的职位")
    client.force_login(world.school_admin)
    html = client.get("/staff/postings/").content.decode()
    assert "待审的职位" in html and "已发布的职位" not in html
    assert f'data-posting="{pending.pk}"' in html


def _form_of(posting) -> dict:
    return {"title": posting.title, "category_code": posting.category_code, "openings": str(posting.openings),
            "majors_text": "", "salary_min": str(posting.salary_min), "salary_max": str(posting.salary_max),
            "description": posting.description, "contact_name": posting.contact_name,
            "contact_phone": posting.contact_phone, "deadline": posting.deadline.isoformat(),
            "channel": str(posting.channel_school_id), "place_1": "340104"}


def test_edit_page_contact_change_stays_published_title_change_goes_to_review(world, client):
    posting = make_posting(world, status=PostingStatus.PUBLISHED)
    client.force_login(world.employer_user)
    html = client.get(f"/employer/postings/{posting.pk}/edit/").content.decode()
    assert 'value="软件工程师"' in html and 'id="material-note"' in html and 'value="340104"' in html
    r = client.post(f"/employer/postings/{posting.pk}/edit/", {**_form_of(posting), "contact_name": "李主管"})
    assert r.status_code == 302
    assert Posting.objects.get(pk=posting.pk).status == PostingStatus.PUBLISHED
    r = client.post(f"/employer/postings/{posting.pk}/edit/", {**_form_of(posting), "title": "高级软件工程师"},
                    follow=True)
    assert "已重新提交审核" in r.content.decode()
    assert Posting.objects.get(pk=posting.pk).status == PostingStatus.PENDING


def test_employer_marks_a_posting_filled_from_its_page(world, client):
    posting = make_posting(world, status=PostingStatus.PUBLISHED)
    client.force_login(world.employer_user)
    html = client.get(f"/employer/postings/{posting.pk}/").content.decode()
    assert 'id="posting-close"' in html
    r = client.post(f"/employer/postings/{posting.pk}/close/", {"reason": "filled"}, follow=True)
    html = r.content.decode()
    assert "职位已下线" in html and "已招满" in html and 'id="posting-close"' not in html


def test_province_staff_see_school_channel_postings_but_do_not_review_them(world, client):
    school_posting = make_posting(world, title="院校渠道职位")
    province_posting = make_posting(world, title="全省渠道职位")
    Posting.objects.filter(pk=province_posting.pk).update(channel_school=None)
    client.force_login(world.province_admin)
    html = client.get("/staff/postings/").content.decode()  # default: the province channel
    assert "全省渠道职位" in html and "院校渠道职位" not in html and ">审核</a>" in html
    html = client.get(f"/staff/postings/?channel={world.school.pk}").content.decode()
    assert "院校渠道职位" in html and ">审核</a>" not in html and ">查看</a>" in html
    html = client.get(f"/staff/postings/{school_posting.pk}/").content.decode()
    assert 'id="approve"' not in html and 'id="take-down"' in html and "由该院校审核" not in html
