"""网络签约 API, the graduate's and the employer's side: the whole happy path, every refusal
the handbook names, and who may see what (strangers 404, wrong role 403)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.services import api_token_issue
from apps.destinations.models import Destination, DestinationStatus
from apps.destinations.services import destination_review
from apps.notifications.models import Notification
from apps.organisations.models import SchoolPolicy
from apps.signing import services as signing
from apps.signing.models import Agreement, Invitation, InvitationStatus
from tests import factories as f
from tests.signing.helpers import PIN, credit_code, invite, make_ready, png, terms

OTHER_CODE = credit_code("91340200MA2N8Q7K1")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Certificates go to a temporary directory, never to var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def open_signing(world):
    """Signing open whatever the machine's calendar says (学校设置)."""
    for school in (world.school, world.other_school):
        SchoolPolicy.objects.update_or_create(school=school,
                                              defaults={"signing_opens_on": timezone.localdate() - timedelta(days=1)})
    return world


@pytest.fixture
def ready(open_signing):
    make_ready(open_signing.graduate)
    return open_signing


@pytest.fixture
def grad(ready, api_client):
    return api_client.login_as(ready.graduate_user)


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}


def card_token(world) -> str:
    _, token = signing.card_issue(actor=world.graduate_user)
    return token


def send(token: str, client: Client | None = None, headers: dict | None = None, certificate=True, **overrides):
    data = terms(**overrides)
    if certificate:
        data["certificate"] = png()
    return (client or Client()).post(f"/api/v1/signing/cards/{token}/invitations", data, **(headers or {}))


def error(response) -> dict:
    return response.json()["error"]


# --- the happy path ---------------------------------------------------------------------------

def test_card_invitation_accept_and_confirm_through_the_api(ready, grad):
    card = grad.get("/signing/card")
    assert card.status_code == 200
    body = card.json()
    assert len(body["short_code"]) == 8 and body["unmet"] == []
    assert body["link"] == f"http://testserver/sign/c/{body['token']}/"
    assert body["graduate"]["name"] == "王小明"

    employer = Client()
    seen = employer.get(f"/api/v1/signing/cards/{body['token']}").json()
    assert seen["graduate"] == {"name": "王小明", "school": "安徽示例大学", "major": "软件工程",
                                "education_level": seen["graduate"]["education_level"],
                                "id_number_masked": ready.graduate.masked_id_number}
    assert seen["can_invite"] is True and ready.graduate.id_number not in str(seen)
    by_code = employer.get(f"/api/v1/signing/cards/by-code/{body['short_code'].lower()}").json()
    assert by_code["graduate"]["name"] == "王小明"

    sent = send(body["token"], employer)
    assert sent.status_code == 201
    created = sent.json()
    assert created["status"] == "open" and created["status_label"] == "待确认" and created["follow_token"]

    listed = grad.get("/signing/invitations").json()
    assert [(i["id"], i["status_label"], i["terms"]["unit_name"]) for i in listed] == [
        (created["id"], "待确认", "合肥示例科技有限公司")]
    detail = grad.get(f"/signing/invitations/{created['id']}").json()
    assert detail["terms"]["unit_division"].endswith("蜀山区") and detail["terms"]["probation_months"] == 3

    opened = grad.post(f"/signing/invitations/{created['id']}/accept")
    assert opened.status_code == 200 and opened.json()["seconds"] == 60
    assert "不干涉毕业生与用人单位已签的协议" in opened.json()["binding_notice"]

    confirmed = grad.post(f"/signing/invitations/{created['id']}/confirm", {"pin": PIN})
    assert confirmed.status_code == 200
    agreement = confirmed.json()
    assert agreement["review_status"] == "签约成功，待学校审核" and agreement["number"].startswith("WQ")
    assert grad.get("/signing/agreement").json()["agreement"]["number"] == agreement["number"]

    followed = employer.get(f"/api/v1/signing/follow/{created['follow_token']}").json()
    assert (followed["status_label"], followed["can_withdraw"]) == ("已接受", False)
    assert followed["agreement"]["review_status"] == "签约成功，待学校审核"


# --- preconditions, each with its message ----------------------------------------------------------

def _accepted_elsewhere(world):
    invitation, _ = invite(world.graduate, world.graduate_user, unit_name="芜湖示例制造有限公司", credit_code=OTHER_CODE)
    from tests.signing.helpers import accept

    accept(world.graduate_user, invitation)


@pytest.mark.parametrize("setup, code, text", [
    (lambda w: type(w.graduate).objects.filter(pk=w.graduate.pk).update(origin_confirmed_at=None),
     "origin_not_confirmed", "生源信息尚未确认"),
    (_accepted_elsewhere, "agreement_in_force", "只能与一家单位签约"),
    (lambda w: SchoolPolicy.objects.filter(school=w.school).update(
        signing_opens_on=timezone.localdate() + timedelta(days=3)), "signing_not_open", "学校网签将于"),
])
def test_each_unmet_precondition_is_refused_with_its_message(ready, grad, setup, code, text):
    token = card_token(ready)
    setup(ready)
    before = Invitation.objects.count()
    response = send(token)
    assert response.status_code == 400
    assert error(response)["code"] == code and text in error(response)["message"]
    assert text in error(response)["fields"][code]
    assert Invitation.objects.count() == before
    unmet = grad.get("/signing/card").json()["unmet"]
    assert code in [u["code"] for u in unmet] and any(text in u["message"] for u in unmet)
    assert Client().get(f"/api/v1/signing/cards/{token}").json()["can_invite"] is False


def test_a_registered_destination_does_not_block_receiving_but_blocks_accepting(ready, grad):
    """手册：毕业生可以接收不同单位的职位邀请，不受当前去向登记影响，但是只能与一家单位签约。"""
    Destination.objects.create(graduate=ready.graduate, school=ready.school, college=ready.college,
                               category_code="11", status=DestinationStatus.SUBMITTED)
    token = card_token(ready)
    assert Client().get(f"/api/v1/signing/cards/{token}").json()["can_invite"] is True
    response = send(token)
    assert response.status_code == 201
    invitation_id = response.json()["id"]
    refused = grad.post(f"/signing/invitations/{invitation_id}/accept")
    assert refused.status_code == 400
    assert error(refused)["code"] == "destination_registered"
    assert "网签要求毕业去向为待就业" in error(refused)["message"]


# --- the 60-second window and the PIN -----------------------------------------------------------------

def test_the_61st_second_is_refused(ready, grad):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    assert grad.post(f"/signing/invitations/{invitation.pk}/accept").status_code == 200
    Invitation.objects.filter(pk=invitation.pk).update(confirm_opened_at=timezone.now() - timedelta(seconds=61))
    response = grad.post(f"/signing/invitations/{invitation.pk}/confirm", {"pin": PIN})
    assert response.status_code == 400 and error(response)["code"] == "window_expired"
    assert "60秒" in error(response)["message"]
    assert not Agreement.objects.exists()


def test_a_wrong_pin_is_refused_then_throttled(ready, grad, settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 2
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    grad.post(f"/signing/invitations/{invitation.pk}/accept")
    for _ in range(2):
        response = grad.post(f"/signing/invitations/{invitation.pk}/confirm", {"pin": "135799"})
        assert response.status_code == 400 and error(response)["message"] == "签约密码错误"
    throttled = grad.post(f"/signing/invitations/{invitation.pk}/confirm", {"pin": PIN})
    assert throttled.status_code == 429 and "尝试次数过多" in error(throttled)["message"]
    assert not Agreement.objects.exists()


# --- invitations that cannot be accepted --------------------------------------------------------------

def test_a_second_live_invitation_from_the_same_employer_is_refused(ready):
    token = card_token(ready)
    assert send(token).status_code == 201
    again = send(token, position_name="测试工程师")
    assert again.status_code == 400 and error(again)["code"] == "duplicate_invitation"
    assert "不能重复发送" in error(again)["message"]
    assert send(token, unit_name="芜湖示例制造有限公司", credit_code=OTHER_CODE).status_code == 201


def test_a_withdrawn_invitation_cannot_be_accepted(ready, grad):
    created = send(card_token(ready)).json()
    withdrawn = Client().post(f"/api/v1/signing/follow/{created['follow_token']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status_label"] == "已撤回"
    response = grad.post(f"/signing/invitations/{created['id']}/accept")
    assert response.status_code == 400 and "已撤回" in error(response)["message"]
    again = Client().post(f"/api/v1/signing/follow/{created['follow_token']}/withdraw")
    assert again.status_code == 400 and error(again)["code"] == "not_open"


def test_an_expired_invitation_cannot_be_accepted(ready, grad):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert grad.get("/signing/invitations").json()[0]["status_label"] == "已过期"
    response = grad.post(f"/signing/invitations/{invitation.pk}/accept")
    assert response.status_code == 400 and "已过期" in error(response)["message"]


def test_declining_needs_a_reason(ready, grad):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    response = grad.post(f"/signing/invitations/{invitation.pk}/decline", {"reason": "  "})
    assert response.status_code == 400 and error(response)["fields"] == {"reason": "必填"}
    assert error(response)["message"] == "请填写拒绝原因"
    declined = grad.post(f"/signing/invitations/{invitation.pk}/decline", {"reason": "已决定继续读研"})
    assert declined.json()["status_label"] == "已拒绝" and declined.json()["decline_reason"] == "已决定继续读研"


def test_bad_terms_come_back_per_field_and_the_certificate_is_required(ready):
    token = card_token(ready)
    response = send(token, credit_code="91340100MA2N8Q7K01", unit_division="340100")
    assert response.status_code == 400
    assert error(response)["fields"]["credit_code"] == "统一社会信用代码校验位不正确，请核对"
    assert error(response)["fields"]["unit_division"] == "单位所在地须选择到具体的区县"
    missing = send(token, certificate=False)
    assert missing.status_code == 400 and error(missing)["code"] == "certificate_missing"
    assert not Invitation.objects.exists()


# --- cards: forged and expired links ---------------------------------------------------------------------

def test_forged_and_expired_card_links_are_refused_with_a_clear_message(ready):
    card, token = signing.card_issue(actor=ready.graduate_user)
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    for response in (Client().get(f"/api/v1/signing/cards/{forged}"), send(forged)):
        assert response.status_code == 400
        assert error(response) == {"code": "card_invalid", "message": "二维码无效，请重新扫描毕业生的二维码名片", "fields": {}}
    type(card).objects.filter(pk=card.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = Client().get(f"/api/v1/signing/cards/{token}")
    assert expired.status_code == 400 and error(expired)["code"] == "card_expired"
    assert "重新打开【我的】→【二维码名片】" in error(expired)["message"]
    unknown = Client().get("/api/v1/signing/cards/by-code/ZZZZZZZZ")
    assert unknown.status_code == 400 and error(unknown)["message"] == "名片码不存在，请核对后重新输入"
    assert not Invitation.objects.exists()


# --- who may see what ----------------------------------------------------------------------------------

def test_another_graduates_invitation_is_not_found(ready, api_client):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    api_client.login_as(ready.stranger_user)
    assert api_client.get("/signing/invitations").json() == []
    for response in (api_client.get(f"/signing/invitations/{invitation.pk}"),
                     api_client.post(f"/signing/invitations/{invitation.pk}/accept"),
                     api_client.post(f"/signing/invitations/{invitation.pk}/decline", {"reason": "x"}),
                     api_client.post(f"/signing/invitations/{invitation.pk}/confirm", {"pin": PIN})):
        assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPEN and invitation.confirm_opened_at is None


def test_an_employer_account_sees_only_its_own_invitations(ready, api_client):
    ready.employer.credit_code = credit_code()
    ready.employer.save()
    other = f.make_employer(credit_code=OTHER_CODE, name="芜湖示例制造有限公司")
    other_user = f.make_staff("employer", employer=other, username="employer-b")
    own = send(card_token(ready), headers=bearer(ready.employer_user)).json()
    assert Invitation.objects.get(pk=own["id"]).sent_by == ready.employer_user
    theirs = send(card_token(ready), unit_name="芜湖示例制造有限公司", credit_code=OTHER_CODE).json()

    api_client.login_as(ready.employer_user)
    assert [i["id"] for i in api_client.get("/signing/employer/invitations").json()] == [own["id"]]
    mine = api_client.get(f"/signing/employer/invitations/{own['id']}").json()
    assert mine["graduate"]["id_number_masked"] == ready.graduate.masked_id_number
    assert "13812345678" not in str(mine) and ready.graduate.id_number not in str(mine)
    assert api_client.get(f"/signing/employer/invitations/{theirs['id']}").status_code == 404
    assert api_client.post(f"/signing/employer/invitations/{theirs['id']}/withdraw").status_code == 404
    withdrawn = api_client.post(f"/signing/employer/invitations/{own['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status_label"] == "已撤回"
    assert Invitation.objects.get(pk=theirs["id"]).status == InvitationStatus.OPEN

    api_client.login_as(other_user)
    assert [i["id"] for i in api_client.get("/signing/employer/invitations").json()] == [theirs["id"]]


def test_an_employer_account_cannot_send_under_another_credit_code(ready):
    response = send(card_token(ready), headers=bearer(ready.employer_user))
    assert response.status_code == 400 and error(response)["code"] == "credit_code_mismatch"


def test_wrong_roles_are_forbidden(ready, api_client):
    api_client.login_as(ready.employer_user)
    assert api_client.get("/signing/card").status_code == 403
    assert api_client.get("/signing/invitations").status_code == 403
    assert api_client.get("/signing/agreement").status_code == 403
    api_client.login_as(ready.graduate_user)
    assert api_client.get("/signing/employer/invitations").status_code == 403
    assert api_client.post("/signing/employer/cards", {"school_id": ready.school.pk, "name": "王小明",
                                                       "student_number": "2022010101"}).status_code == 403
    api_client.login_as(ready.school_admin)
    assert api_client.get("/signing/card").status_code == 403
    anonymous = Client()
    assert anonymous.get("/api/v1/signing/card").status_code == 401
    assert anonymous.get("/api/v1/signing/employer/invitations").status_code == 401


# --- a registered employer starts from its own page ------------------------------------------------------

def test_an_employer_account_finds_exactly_one_current_graduate(ready, api_client):
    api_client.login_as(ready.employer_user)
    found = api_client.post("/signing/employer/cards", {"school_id": ready.school.pk, "name": " 王小明 ",
                                                        "student_number": "2022 010101"})
    assert found.status_code == 201
    assert found.json()["graduate"]["id_number_masked"] == ready.graduate.masked_id_number
    assert found.json()["invitation_link"].endswith("/invite/")
    assert Client().get(f"/api/v1/signing/cards/{found.json()['token']}").status_code == 200
    for payload in ({"school_id": ready.other_school.pk, "name": "王小明", "student_number": "2022010101"},
                    {"school_id": ready.school.pk, "name": "王小明", "student_number": "2022010102"},
                    {"school_id": ready.school.pk, "name": "王晓明", "student_number": "2022010101"}):
        missing = api_client.post("/signing/employer/cards", payload)
        assert missing.status_code == 400 and error(missing)["message"].startswith("未找到该毕业生")
    # a graduate of an earlier cohort is not offered
    f.make_graduate(college=ready.college, major=ready.major, name="周敏", student_number="2021010101", cohort=2026)
    old = api_client.post("/signing/employer/cards", {"school_id": ready.school.pk, "name": "周敏",
                                                      "student_number": "2021010101"})
    assert old.status_code == 400 and error(old)["code"] == "graduate_not_found"


# --- after the school's review return: the employer corrects, the agreement stands ----------------------

def test_the_employer_corrects_the_unit_after_a_return_and_the_agreement_stands(ready, grad):
    created = send(card_token(ready)).json()
    grad.post(f"/signing/invitations/{created['id']}/accept")
    grad.post(f"/signing/invitations/{created['id']}/confirm", {"pin": PIN})
    follow = f"/api/v1/signing/follow/{created['follow_token']}"
    early = Client().post(f"{follow}/correction", {"industry_code": "38"}, content_type="application/json")
    assert early.status_code == 400 and error(early)["code"] == "not_returned"

    destination = Destination.objects.get(graduate=ready.graduate)
    destination_review(actor=ready.college_admin, destination=destination, approve=False, reason="单位行业填写错误")
    state = Client().get(follow).json()
    assert state["can_correct"] is True and state["return_reason"] == "单位行业填写错误"
    assert "协议仍然有效" in state["agreement"]["review_status"]
    bad = Client().post(f"{follow}/correction", {"unit_contact_phone": "123"}, content_type="application/json")
    assert bad.status_code == 400 and "unit_contact_phone" in error(bad)["fields"]
    fixed = Client().post(f"{follow}/correction", {"industry_code": "38"}, content_type="application/json")
    assert fixed.status_code == 200 and fixed.json()["can_correct"] is False
    destination.refresh_from_db()
    assert (destination.industry_code, destination.status) == ("38", DestinationStatus.SUBMITTED)
    assert Agreement.objects.get().status == "in_force"
    assert Notification.objects.filter(graduate=ready.graduate, kind="agreement_corrected").exists()
    assert Client().get("/api/v1/signing/follow/not-a-token").status_code == 404


# --- notifications -------------------------------------------------------------------------------------

def test_notifications_list_and_mark_read(ready, api_client):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    api_client.login_as(ready.graduate_user)
    listed = api_client.get("/notifications/").json()
    assert listed["unread"] == 1 and listed["items"][0]["title"] == "您收到合肥示例科技有限公司的网签邀约"
    assert api_client.post("/notifications/read", {}).json() == {"marked": 1}
    assert api_client.get("/notifications/").json()["unread"] == 0
    api_client.login_as(ready.stranger_user)
    assert api_client.get("/notifications/").json()["count"] == 0
    assert api_client.post("/notifications/read", {"ids": [listed["items"][0]["id"]]}).json() == {"marked": 0}
    api_client.login_as(ready.school_admin)
    assert api_client.get("/notifications/").status_code == 403
    assert invitation.pk
