"""Smaller papercuts a new user hit (issue 10, item 6): revealing a proposed ID number on
purpose, the college home page, the employer's certificate kept with the draft, one styled
file chooser, province staff reading the graduate and destination lists."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.audit.models import AuditEntry
from apps.corrections.services import correction_file
from apps.destinations.models import Destination, DestinationStatus
from apps.destinations.services import destination_review
from apps.signing.models import Invitation
from tests.corrections.conftest import png as small_png
from tests.corrections.conftest import valid_id_number
from tests.destinations.builders import make_destination
from tests.signing.helpers import accept, invite, make_ready, png, terms


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- 显示完整号码: the reviewer compares the proposed ID number with the scan --------------------

@pytest.fixture
def id_correction(world):
    new_id = valid_id_number(321)
    correction = correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic", field="id_number",
                                 proposed_value=new_id, explanation="身份证号录入有误，附身份证扫描件",
                                 images=[small_png()], client_address="10.0.0.1")
    return correction, new_id


def test_reviewer_reveals_the_full_proposed_number_on_purpose_and_it_is_audited(world, id_correction):
    correction, new_id = id_correction
    school = _login(world.school_admin)
    page = school.get(f"/staff/corrections/{correction.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert new_id not in html and 'id="reveal-button"' in html and "显示完整号码" in html
    assert not AuditEntry.objects.filter(action="correction.reveal").exists()  # looking at the page reveals nothing

    revealed = school.post(f"/staff/corrections/{correction.pk}/reveal/")
    assert revealed.status_code == 200
    assert re.search(rf'id="c-proposed-full"><strong>{new_id}</strong>', revealed.content.decode())
    assert "no-store" in revealed["Cache-Control"]
    entry = AuditEntry.objects.get(action="correction.reveal")
    assert entry.actor_id == world.school_admin.pk and entry.graduate_id == world.graduate.pk
    assert entry.occurred_at is not None and "身份证号" in entry.summary
    assert new_id not in str(entry.changes) and new_id not in entry.summary

    # the next ordinary view is masked again
    assert new_id not in school.get(f"/staff/corrections/{correction.pk}/").content.decode()


def test_only_the_reviewing_staff_in_scope_may_reveal(world, id_correction):
    correction, new_id = id_correction
    province_page = _login(world.province_admin).get(f"/staff/corrections/{correction.pk}/")
    assert province_page.status_code == 200 and 'id="reveal-button"' not in province_page.content.decode()
    for user, status in ((world.province_admin, 403), (world.graduate_user, 403),
                         (world.other_school_admin, 404), (world.other_college_admin, 404)):
        response = _login(user).post(f"/staff/corrections/{correction.pk}/reveal/")
        assert response.status_code == status, user
        assert new_id not in response.content.decode()
    assert not AuditEntry.objects.filter(action="correction.reveal").exists()


def test_reveal_is_refused_for_unmasked_fields_and_decided_corrections(world, id_correction):
    correction, new_id = id_correction
    ethnicity = correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic",
                                field="ethnicity_code", proposed_value="03", explanation="户口簿上是回族")
    school = _login(world.school_admin)
    assert 'id="reveal-button"' not in school.get(f"/staff/corrections/{ethnicity.pk}/").content.decode()
    assert school.post(f"/staff/corrections/{ethnicity.pk}/reveal/").status_code == 400
    school.post(f"/staff/corrections/{correction.pk}/reject/", {"reason": "扫描件不清晰"})
    refused = school.post(f"/staff/corrections/{correction.pk}/reveal/")
    assert refused.status_code == 400 and new_id not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="correction.reveal").exists()


# --- the college home page -------------------------------------------------------------------

def test_college_home_links_the_first_review_queue_instead_of_saying_it_is_coming(world):
    make_destination(world.graduate, status=DestinationStatus.SUBMITTED)
    html = _login(world.college_admin).get("/staff/").content.decode()
    assert "随毕业去向登记开放" not in html and "即将" not in html
    link = re.search(r'<a href="(/staff/destinations/)" id="destination-queue-link">毕业去向初审</a>：1 条待初审', html)
    assert link, _text(_login(world.college_admin).get("/staff/"))
    school_html = _login(world.school_admin).get("/staff/").content.decode()
    assert re.search(r'id="destination-queue-link">毕业去向终审</a>：0 条', school_html)


# --- the employer's certificate stays with the draft ---------------------------------------------

@pytest.fixture
def card_token(world):
    from apps.signing import services as signing

    make_ready(world.graduate)
    card, token = signing.card_issue(actor=world.graduate_user)
    return token


def test_certificate_is_kept_after_a_validation_error_and_used_on_resubmit(world, card_token):
    recruiter = Client()
    url = f"/sign/c/{card_token}/invite/"
    first = recruiter.post(url, {**terms(contact_phone="12"), "certificate": png("营业执照.png")})
    assert first.status_code == 400
    html = first.content.decode()
    assert 'id="contact_phone-error"' in html
    assert re.search(r'id="certificate-chosen"[^>]*>已上传：营业执照\.png<', html)
    assert "需重新选择" not in html and not Invitation.objects.exists()
    # resubmitting without choosing the picture again sends the invitation with the kept one
    second = recruiter.post(url, terms())
    assert second.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.certificate.name.startswith(f"certificates/{world.school.pk}/")
    assert invitation.certificate.size > 0
    # sent: the draft is gone, a new form asks for the picture again
    third = recruiter.get(url)
    assert "已上传：" not in third.content.decode()


def test_a_draft_certificate_belongs_to_its_browser_only(world, card_token):
    url = f"/sign/c/{card_token}/invite/"
    Client().post(url, {**terms(contact_phone="12"), "certificate": png("营业执照.png")})
    other = Client().post(url, terms())
    assert other.status_code == 400 and not Invitation.objects.exists()
    assert 'id="certificate-error">请上传统一社会信用代码证图片<' in other.content.decode()


def test_a_refused_picture_is_not_kept_and_other_errors_still_show(world, card_token):
    recruiter = Client()
    url = f"/sign/c/{card_token}/invite/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("执照.png", b"not an image", content_type="image/png")
    response = recruiter.post(url, {**terms(contact_phone="12"), "certificate": fake})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="contact_phone-error"' in html and 'id="certificate-error"' in html
    assert "已上传：" not in html


# --- one styled file chooser -------------------------------------------------------------------

_BARE = re.compile(r'<input type="file"(?![^>]*data-(?:file-names|auto-submit))[^>]*>')
_STYLED = r'<label class="button secondary file-button" for="{id}">[^<]*\s*<input type="file" id="{id}"'


def test_verification_page_uses_the_styled_file_chooser(world):
    html = Client().get("/verify/").content.decode()
    assert re.search(_STYLED.format(id="verify-pdf"), html) and 'id="verify-pdf-chosen"' in html
    assert not _BARE.search(html)


def test_termination_page_uses_the_styled_file_chooser(world):
    make_ready(world.graduate)
    invitation, _ = invite(world.graduate, world.graduate_user)
    accept(world.graduate_user, invitation)
    destination = Destination.objects.get(graduate=world.graduate)
    destination_review(actor=world.college_admin, destination=destination, approve=True)
    destination_review(actor=world.school_admin, destination=destination, approve=True)
    html = _login(world.graduate_user).get("/signing/termination/").content.decode()
    assert 'id="termination-form"' in html
    assert re.search(_STYLED.format(id="termination-letters"), html) and 'id="termination-letters-chosen"' in html
    assert not _BARE.search(html)


def test_invitation_form_uses_the_styled_file_chooser(world, card_token):
    html = Client().get(f"/sign/c/{card_token}/invite/").content.decode()
    assert re.search(_STYLED.format(id="certificate"), html) and "未选择文件" in html
    assert not _BARE.search(html)


# --- province staff read the lists --------------------------------------------------------------

def test_province_staff_read_the_graduate_and_destination_lists_without_write_actions(world):
    destination = make_destination(world.graduate, status=DestinationStatus.SUBMITTED)
    province = _login(world.province_admin)
    graduates = province.get("/staff/graduates/")
    assert graduates.status_code == 200 and world.graduate.name in _text(graduates)
    assert world.stranger.name in _text(graduates)  # the whole province, both schools
    detail = province.get(f"/staff/graduates/{world.graduate.pk}/")
    assert detail.status_code == 200 and "重置签约密码" not in detail.content.decode()

    queue = province.get("/staff/destinations/")
    html = queue.content.decode()
    assert queue.status_code == 200 and world.graduate.name in html
    assert 'id="batch-form"' not in html and 'id="batch-approve"' not in html and 'name="ids"' not in html
    assert "只读" in html
    page = province.get(f"/staff/destinations/{destination.pk}/")
    assert page.status_code == 200 and 'id="review-form"' not in page.content.decode()
    menu = province.get("/staff/").content.decode()
    assert 'href="/staff/graduates/"' in menu and 'href="/staff/destinations/"' in menu

    # the services still refuse writes
    assert province.post(f"/staff/destinations/{destination.pk}/review/", {"action": "approve"}).status_code == 403
    assert province.post("/staff/destinations/batch-approve/", {"ids": [destination.pk]}).status_code == 403
    destination.refresh_from_db()
    assert destination.status == DestinationStatus.SUBMITTED


def test_province_staff_read_destinations_through_the_api_but_cannot_review(world, api_client):
    destination = make_destination(world.graduate, status=DestinationStatus.SUBMITTED)
    api_client.login_as(world.province_admin)
    listed = api_client.get("/destinations/", status="all").json()
    assert [i["id"] for i in listed["items"]] == [destination.pk]
    detail = api_client.get(f"/destinations/{destination.pk}").json()
    assert detail["can_review"] is False and detail["state"]["actions"] == []
    assert api_client.post(f"/destinations/{destination.pk}/approve").status_code == 403
    assert api_client.post("/destinations/batch-approve", {"ids": [destination.pk]}).status_code == 403
    destination.refresh_from_db()
    assert destination.status == DestinationStatus.SUBMITTED


def test_reviewers_still_see_their_write_actions(world):
    make_destination(world.graduate, status=DestinationStatus.SUBMITTED)
    html = _login(world.college_admin).get("/staff/destinations/").content.decode()
    assert 'id="batch-approve"' in html and 'name="ids"' in html and "只读" not in html

