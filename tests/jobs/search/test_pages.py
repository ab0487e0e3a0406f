"""The graduate's pages of 职位搜索 and favourites (services and API)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.jobs import services_favourites as services
from apps.jobs.models import Posting, PostingFavourite
from apps.organisations.models import EmployerStatus
from apps.reports.reasons import WARNING
from tests import factories as f
from tests.jobs.search.helpers import make_posting

pytestmark = pytest.mark.django_db


@pytest.fixture
def graduate_client(client, world):
    client.force_login(world.graduate_user)
    return client


def page(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def results(html: str) -> str:
    return html.split('id="job-results"', 1)[1].split('class="pagination"', 1)[0]


def test_search_page_shows_results_the_warning_and_filters(world, graduate_client):
    make_posting(world.employer, school=world.school, title="软件工程师", salary=(8000, 12000))
    make_posting(world.employer, school=world.school, title="会计", category="21")
    html = page(graduate_client, "/services/jobs/", q="工程师")
    assert "软件工程师" in results(html) and "会计" not in results(html)
    assert "8000–12000元/月" in html and "合肥示例科技有限公司" in html and "合肥市蜀山区" in html
    assert WARNING in html and "0551-63631768" in html
    assert 'id="sort-match"' in html
    html = page(graduate_client, "/services/jobs/", category="21")
    assert "会计" in results(html) and "软件工程师" not in results(html)
    assert "职位信息" in page(graduate_client, "/services/")


def test_search_page_ignores_bad_filters_with_a_note(world, graduate_client):
    make_posting(world.employer, school=world.school, title="软件工程师")
    html = page(graduate_client, "/services/jobs/", industry="ZZ", salary="lots", page="abc", sort="x")
    assert "行业不正确，已忽略该条件" in html and "月薪区间不正确" in html and "排序方式不正确" in html
    assert "软件工程师" in results(html)
    html = page(graduate_client, "/services/jobs/", page="999")
    assert "最多显示前50页" in html


def test_detail_counts_views_and_shows_everything(world, graduate_client):
    posting = make_posting(world.employer, school=world.school, title="软件工程师",
                           description="<script>alert(1)</script>负责后端开发。", majors_text="计算机类")
    html = page(graduate_client, f"/services/jobs/{posting.pk}/")
    assert "负责后端开发" in html and "&lt;script&gt;" in html and "<script>alert(1)" not in html
    assert "计算机类" in html and "0551-12345678" in html and WARNING in html
    assert f"/services/employers/{world.employer.pk}/" in html
    assert f"/services/report/?posting={posting.pk}" in html  # 举报该职位
    page(graduate_client, f"/services/jobs/{posting.pk}/")
    posting.refresh_from_db()
    assert posting.view_count == 2


def test_detail_of_a_posting_not_open_to_the_graduate_is_missing(world, graduate_client):
    far = make_posting(world.employer, school=world.other_school, title="外校职位")
    expired = make_posting(world.employer, school=world.school, title="过期职位", days_left=-1)
    for posting in (far, expired):
        assert graduate_client.get(f"/services/jobs/{posting.pk}/").status_code == 404
        assert graduate_client.post(f"/services/jobs/{posting.pk}/favourite/").status_code == 404
    assert not PostingFavourite.objects.exists()
    far.refresh_from_db()
    assert far.view_count == 0


def test_favourite_toggle_and_list(world, graduate_client):
    posting = make_posting(world.employer, school=world.school, title="软件工程师")
    response = graduate_client.post(f"/services/jobs/{posting.pk}/favourite/")
    assert response.status_code == 302
    assert PostingFavourite.objects.filter(graduate=world.graduate, posting=posting).exists()
    assert "已收藏（点击取消）" in page(graduate_client, f"/services/jobs/{posting.pk}/")
    html = page(graduate_client, "/services/jobs/favourites/")
    assert "软件工程师" in html and f"/services/jobs/{posting.pk}/" in html
    # the posting goes offline: still listed, marked, without a link
    Posting.objects.filter(pk=posting.pk).update(status="closed", closed_reason="filled")
    html = page(graduate_client, "/services/jobs/favourites/")
    assert "已下线" in html and f'href="/services/jobs/{posting.pk}/"' not in html
    # and can still be removed
    graduate_client.post(f"/services/jobs/{posting.pk}/favourite/", {"next": "favourites"})
    assert not PostingFavourite.objects.exists()
    assert "还没有收藏职位" in page(graduate_client, "/services/jobs/favourites/")


def test_favourite_services_audit_and_refuse_over_the_limit(world, monkeypatch):
    posting = make_posting(world.employer, school=world.school, title="软件工程师")
    other = make_posting(world.employer, school=world.school, title="测试工程师")
    first = services.favourite_add(actor=world.graduate_user, posting_id=posting.pk)
    assert services.favourite_add(actor=world.graduate_user, posting_id=posting.pk) == first  # idempotent
    assert AuditEntry.objects.filter(action="jobs.favourite_add").count() == 1
    monkeypatch.setattr(services, "MAX_FAVOURITES", 1)
    from apps.core.errors import DomainError

    with pytest.raises(DomainError, match="最多收藏1个职位"):
        services.favourite_add(actor=world.graduate_user, posting_id=other.pk)
    assert services.favourite_remove(actor=world.graduate_user, posting_id=posting.pk) is True
    assert services.favourite_remove(actor=world.graduate_user, posting_id=posting.pk) is False
    assert AuditEntry.objects.filter(action="jobs.favourite_remove").count() == 1


def test_favourites_api(world, api):
    posting = make_posting(world.employer, school=world.school, title="软件工程师")
    far = make_posting(world.employer, school=world.other_school, title="外校职位")
    assert api.post(f"/jobs/{posting.pk}/favourite").status_code == 201
    assert api.post(f"/jobs/{far.pk}/favourite").status_code == 404
    body = api.get("/jobs/favourites").json()
    assert [(row["posting_id"], row["is_open"]) for row in body["items"]] == [(posting.pk, True)]
    assert api.get(f"/jobs/{posting.pk}").json()["favourite"] is True
    assert api.delete(f"/jobs/{posting.pk}/favourite").status_code == 204
    response = api.delete(f"/jobs/{posting.pk}/favourite")
    assert response.status_code == 404 and response.json()["error"]["message"] == "未收藏该职位"
    assert api.get("/jobs/favourites").json()["items"] == []


def test_favourites_list_in_constant_queries(world, client):
    client.force_login(world.graduate_user)

    def statements():
        client.get("/services/jobs/favourites/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/services/jobs/favourites/")
        return len(ctx.captured_queries)

    for n in range(2):
        services.favourite_add(actor=world.graduate_user,
                               posting_id=make_posting(world.employer, school=world.school, title=f"职位{n}").pk)
    small = statements()
    for n in range(15):
        services.favourite_add(actor=world.graduate_user,
                               posting_id=make_posting(world.employer, school=world.school, title=f"岗位{n}").pk)
    assert statements() == small


def test_api_detail_and_employer_profile(world, api):
    posting = make_posting(world.employer, school=world.school, title="软件工程师", description="负责后端开发。")
    body = api.get(f"/jobs/{posting.pk}").json()
    assert body["title"] == "软件工程师" and body["description"] == "负责后端开发。" and body["view_count"] == 1
    assert body["places"] == ["合肥市蜀山区"] and body["education"] == "本科"
    profile = api.get(f"/jobs/employers/{world.employer.pk}").json()
    assert profile["name"] == "合肥示例科技有限公司" and [p["id"] for p in profile["postings"]] == [posting.pk]
    assert "contact_mobile" not in profile


def test_employer_page_only_for_verified_employers(world, graduate_client):
    posting = make_posting(world.employer, school=world.school, title="软件工程师")
    html = page(graduate_client, f"/services/employers/{world.employer.pk}/")
    assert "合肥示例科技有限公司" in html and "软件工程师" in html and f"/services/jobs/{posting.pk}/" in html
    assert f"/services/report/?employer={world.employer.pk}" in html  # 举报该单位
    pending = f.make_employer(credit_code="91340100MA2N0ZZZ03", name="待审单位", status=EmployerStatus.PENDING)
    assert graduate_client.get(f"/services/employers/{pending.pk}/").status_code == 404
    world.employer.status = EmployerStatus.SUSPENDED
    world.employer.save()
    assert graduate_client.get(f"/services/employers/{world.employer.pk}/").status_code == 404


def test_staff_and_employers_cannot_use_the_graduate_pages(world, client, api_client):
    client.force_login(world.employer_user)
    assert client.get("/services/jobs/").status_code == 403
    assert api_client.login_as(world.school_admin).get("/jobs/search").status_code == 403
