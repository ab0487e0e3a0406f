"""API of 就业推荐表: the graduate's mine/request/pdf, the staff list/detail/issue/void; the
same rules and refusals as the pages, in the API's error shape, with the presenter's `state`."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.recommendations.models import RecommendationForm
from apps.recommendations.models import RecommendationStatus as S
from tests.recommendations.conftest import OPINION, issue

pytestmark = pytest.mark.django_db


def body(today=None, **kw):
    data = {"opinion": OPINION, "reviewer_name": "张老师", "opinion_date": (today or timezone.localdate()).isoformat()}
    data.update(kw)
    return data


def test_graduate_requests_and_reads_the_state(world, api_client):
    api = api_client.login_as(world.graduate_user)
    mine = api.get("/recommendations/mine").json()
    assert mine["state"]["code"] == "none" and mine["current"] is None
    assert mine["state"]["actions"][0]["url"] == "/me/recommendation/request/"
    created = api.post("/recommendations/request")
    assert created.status_code == 201 and created.json()["state"]["title"] == "待院系填写"
    again = api.post("/recommendations/request")
    assert again.status_code == 400 and "正在等待院系填写" in again.json()["error"]["message"]


def test_staff_issue_reissue_and_void(world, api_client):
    api_client.login_as(world.graduate_user).post("/recommendations/request")
    staff = api_client.login_as(world.college_admin)
    queue = staff.get("/recommendations/").json()
    assert queue["count"] == 1 and queue["items"][0]["graduate_name"] == "王小明"
    issued = staff.post(f"/recommendations/graduates/{world.graduate.pk}/issue", body())
    assert issued.status_code == 201
    forms = issued.json()["forms"]
    assert forms[0]["status"] == "issued" and forms[0]["verification_code"].startswith("TJ")
    assert issued.json()["state"]["code"] == "issued"
    again = staff.post(f"/recommendations/graduates/{world.graduate.pk}/issue", body(opinion="新的意见。")).json()
    assert [f["status"] for f in again["forms"]] == ["issued", "void"]
    assert again["forms"][1]["replaced_by_id"] == again["forms"][0]["id"]
    voided = staff.post(f"/recommendations/forms/{again['forms'][0]['id']}/void", {"reason": "误签"})
    assert voided.status_code == 200 and voided.json()["status"] == "void"


def test_issue_refusals_are_in_the_error_shape(world, api_client):
    staff = api_client.login_as(world.college_admin)
    url = f"/recommendations/graduates/{world.graduate.pk}/issue"
    future = timezone.localdate() + timezone.timedelta(days=2)
    for payload, field in ((body(opinion=""), "opinion"), (body(reviewer_name=""), "reviewer_name"),
                           (body(today=future), "opinion_date"), (body(opinion_date="昨天"), "opinion_date")):
        response = staff.post(url, payload)
        assert response.status_code == 400 and field in response.json()["error"]["fields"], payload
    assert not RecommendationForm.objects.exists()


def test_no_endpoint_edits_an_issued_form(world, api_client):
    form = issue(world.college_admin, world.graduate)
    staff = api_client.login_as(world.college_admin)
    assert staff.put(f"/recommendations/forms/{form.pk}", body(opinion="改写")).status_code in (404, 405)
    form.refresh_from_db()
    assert form.opinion == OPINION and form.status == S.ISSUED


def test_scope_refusals(world, api_client):
    form = issue(world.college_admin, world.graduate)
    other = api_client.login_as(world.other_college_admin)
    assert other.get(f"/recommendations/graduates/{world.graduate.pk}").status_code == 404
    assert other.post(f"/recommendations/graduates/{world.graduate.pk}/issue", body()).status_code == 404
    assert other.post(f"/recommendations/forms/{form.pk}/void", {"reason": "误签"}).status_code == 404
    assert other.get(f"/recommendations/forms/{form.pk}/pdf").status_code == 404
    assert other.get("/recommendations/").json()["count"] == 0
    for user in (world.province_admin, world.employer_user, world.graduate_user):
        assert api_client.login_as(user).get("/recommendations/").status_code == 403
    assert api_client.login_as(world.college_admin).get("/recommendations/mine").status_code == 403
    form.refresh_from_db()
    assert form.status == S.ISSUED


def test_pdf_downloads(world, api_client):
    issue(world.college_admin, world.graduate)
    mine = api_client.login_as(world.graduate_user).get("/recommendations/mine/pdf")
    assert mine.status_code == 200 and b"".join(mine.streaming_content).startswith(b"%PDF")
    assert api_client.login_as(world.stranger_user).get("/recommendations/mine/pdf").status_code == 404


def test_a_form_issued_without_its_pdf_gets_it_on_first_download(world, api_client):
    from apps.recommendations.services import recommendation_issue
    from apps.signing.documents import signature_intact

    form = recommendation_issue(actor=world.college_admin, graduate=world.graduate, opinion=OPINION,
                                reviewer_name="张老师", opinion_date=timezone.localdate(), render_pdf=False)
    assert not form.pdf
    response = api_client.login_as(world.graduate_user).get("/recommendations/mine/pdf")
    data = b"".join(response.streaming_content)
    form.refresh_from_db()
    assert form.pdf and signature_intact(data)
    import hashlib

    assert hashlib.sha256(data).hexdigest() == form.pdf_sha256
