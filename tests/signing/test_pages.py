"""网络签约 pages of the graduate (mobile) and the employer (phone, no account): each renders
for its role and refuses the others; the employer never sees the graduate's ID number
unmasked nor the graduate's phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from apps.destinations.models import Destination, DestinationStatus
from apps.destinations.services import destination_review
from apps.notifications.models import Notification
from apps.organisations.models import SchoolPolicy
from apps.signing import services as signing
from apps.signing.models import Agreement, Invitation, InvitationStatus
from tests import factories as f
from tests.signing.helpers import PIN, accept, credit_code, invite, make_ready, png, terms

PHONE = "13812345678"  # make_ready's graduate phone


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def ready(world):
    SchoolPolicy.objects.update_or_create(school=world.school,
                                          defaults={"signing_opens_on": timezone.localdate() - timedelta(days=1)})
    make_ready(world.graduate)
    return world


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def card_token(world) -> str:
    return signing.card_issue(actor=world.graduate_user)[1]


def post_invitation(client: Client, token: str, **overrides):
    return client.post(f"/sign/c/{token}/invite/", {**terms(**overrides), "certificate": png()})


# --- the graduate's pages ---------------------------------------------------------------------

def test_the_card_shows_qr_code_link_and_masked_id(ready):
    page = logged_in(ready.graduate_user).get("/me/card/")
    assert page.status_code == 200
    html = text(page)
    assert 'id="card-qr" src="data:image/png;base64,' in html
    code = re.search(r'id="card-code"[^>]*>([A-Z0-9]{8})<', html).group(1)
    link = re.search(r'id="card-link" href="([^"]+)"', html).group(1)
    assert link.startswith("http://testserver/sign/c/") and link.endswith("/")
    assert signing.card_resolve(short_code=code).graduate == ready.graduate
    for shown in ("王小明", "安徽示例大学", "软件工程", ready.graduate.masked_id_number, "有效期至", "退出重新登录"):
        assert shown in html
    assert ready.graduate.id_number not in html and 'id="card-unmet"' not in html
    # the link in the card opens step 1 for the employer
    assert Client().get(link.removeprefix("http://testserver")).status_code == 200


def test_the_card_lists_unmet_preconditions_with_how_to_fix(world):
    html = text(logged_in(world.graduate_user).get("/me/card/"))
    assert 'id="card-unmet"' in html and "【登记】→【生源信息】" in html


def test_graduate_pages_refuse_anonymous_and_other_roles(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    urls = ["/me/card/", "/signing/invitations/", f"/signing/invitations/{invitation.pk}/",
            f"/signing/invitations/{invitation.pk}/confirm/", "/signing/agreement/"]
    for url in urls:
        assert Client().get(url).url.startswith("/login/?next=")
        assert logged_in(ready.employer_user).get(url).status_code == 403
        assert logged_in(ready.school_admin).get(url).status_code == 403
    assert logged_in(ready.employer_user).post(f"/signing/invitations/{invitation.pk}/accept/").status_code == 403


def test_the_invitations_list_holds_several_and_says_only_one_can_be_signed(ready):
    first, _ = invite(ready.graduate, ready.graduate_user)
    second, _ = invite(ready.graduate, ready.graduate_user, unit_name="芜湖示例制造有限公司",
                       credit_code=credit_code("91340200MA2N8Q7K1"), position_name="测试工程师")
    signing.invitation_decline(actor=ready.graduate_user, invitation=second, reason="已选择其他单位")
    html = text(logged_in(ready.graduate_user).get("/signing/invitations/"))
    assert f'data-invitation-id="{first.pk}"' in html and f'data-invitation-id="{second.pk}"' in html
    assert "待确认" in html and "已拒绝" in html and "测试工程师" in html
    assert "不受当前去向登记影响" in html and "只能与一家单位签约" in html
    assert 'id="unread-count"' in html


def test_another_graduates_invitation_page_is_not_found(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    stranger = logged_in(ready.stranger_user)
    for url in (f"/signing/invitations/{invitation.pk}/", f"/signing/invitations/{invitation.pk}/confirm/",
                f"/signing/invitations/{invitation.pk}/certificate/"):
        assert stranger.get(url).status_code == 404
    assert stranger.post(f"/signing/invitations/{invitation.pk}/accept/").status_code == 404
    assert stranger.post(f"/signing/invitations/{invitation.pk}/decline/", {"reason": "x"}).status_code == 404


def test_accept_countdown_wrong_pin_then_pin_signs(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    me = logged_in(ready.graduate_user)
    detail = text(me.get(f"/signing/invitations/{invitation.pk}/"))
    for shown in ('id="accept-button"', 'id="decline-form"', 'id="decline-reason"', "毕业生无正当理由不报到",
                  "五险一金", "提供员工宿舍", "试用期3个月", "9000元"):
        assert shown in detail
    opened = me.post(f"/signing/invitations/{invitation.pk}/accept/")
    assert opened.status_code == 302 and opened.url == f"/signing/invitations/{invitation.pk}/confirm/"
    confirm = text(me.get(opened.url))
    seconds = int(re.search(r'id="countdown" data-remaining="(\d+)"', confirm).group(1))
    assert 55 <= seconds <= 60
    for shown in ('id="binding-warning"', "不受院校的审核状态的影响", "只是对数据的规范性进行审核",
                  "不干涉毕业生与用人单位已签的协议", 'id="signing-pin"', 'id="confirm-button"'):
        assert shown in confirm
    wrong = me.post(opened.url, {"pin": "000000"})
    assert 'id="signing-error"' in text(wrong) and "签约密码错误" in text(wrong)
    signed = me.post(opened.url, {"pin": PIN})
    assert signed.status_code == 302 and signed.url == "/signing/agreement/"
    agreement = Agreement.objects.get()
    page = text(me.get("/signing/agreement/"))
    assert re.search(r'id="agreement-status">签约成功，待学校审核<', page) and agreement.number in page


def test_the_61st_second_is_refused_on_the_page(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    me = logged_in(ready.graduate_user)
    me.post(f"/signing/invitations/{invitation.pk}/accept/")
    Invitation.objects.filter(pk=invitation.pk).update(confirm_opened_at=timezone.now() - timedelta(seconds=61))
    late = text(me.post(f"/signing/invitations/{invitation.pk}/confirm/", {"pin": PIN}))
    assert 'id="signing-error"' in late and "超过60秒" in late and 'id="confirm-button"' not in late
    assert not Agreement.objects.exists()


def test_declining_on_the_page_needs_a_reason(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    me = logged_in(ready.graduate_user)
    refused = text(me.post(f"/signing/invitations/{invitation.pk}/decline/", {"reason": ""}))
    assert 'id="signing-error"' in refused and "请填写拒绝原因" in refused
    done = me.post(f"/signing/invitations/{invitation.pk}/decline/", {"reason": "已决定读研"})
    assert done.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED


def test_a_withdrawn_invitation_offers_no_accept_button(ready):
    invitation, token = invite(ready.graduate, ready.graduate_user)
    signing.invitation_withdraw(invitation=invitation, follow_token=token)
    me = logged_in(ready.graduate_user)
    html = text(me.get(f"/signing/invitations/{invitation.pk}/"))
    assert "已撤回" in html and 'id="accept-button"' not in html
    refused = text(me.post(f"/signing/invitations/{invitation.pk}/accept/"))
    assert 'id="signing-error"' in refused and "不能接受" in refused


def test_the_graduate_sees_the_employers_certificate(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    response = logged_in(ready.graduate_user).get(f"/signing/invitations/{invitation.pk}/certificate/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_notifications_page_lists_and_marks_read(ready):
    invite(ready.graduate, ready.graduate_user)
    html = text(logged_in(ready.graduate_user).get("/notifications/"))
    assert "您收到合肥示例科技有限公司的网签邀约" in html and 'href="/signing/invitations/"' in html
    assert not Notification.objects.filter(graduate=ready.graduate, read_at__isnull=True).exists()
    assert logged_in(ready.school_admin).get("/notifications/").status_code == 403


# --- the employer's pages -------------------------------------------------------------------------

def test_step_one_shows_the_graduate_masked_and_never_the_phone(ready):
    token = card_token(ready)
    html = text(Client().get(f"/sign/c/{token}/"))
    assert 'id="graduate-check"' in html and f'href="/sign/c/{token}/invite/"' in html
    assert 'id="start-invitation"' in html
    for shown in ("王小明", "安徽示例大学", "软件工程", ready.graduate.masked_id_number):
        assert shown in html
    form = text(Client().get(f"/sign/c/{token}/invite/"))
    for page in (html, form):
        assert ready.graduate.id_number not in page and PHONE not in page and "138****5678" not in page
        assert ready.graduate.student_number not in page


def test_the_form_has_the_service_field_names(ready):
    html = text(Client().get(f"/sign/c/{card_token(ready)}/invite/"))
    for name in ("unit_name", "credit_code", "unit_nature_code", "industry_code", "unit_division", "unit_address",
                 "contact_person", "contact_phone", "position_name", "position_category_code", "work_place",
                 "contract_years", "probation_type", "probation_months", "monthly_pay", "social_insurance",
                 "breach_penalty", "breach_conditions", "accepts_archive", "accepts_household", "remarks",
                 "certificate"):
        assert f'name="{name}"' in html, name
    assert 'accept="image/*"' in html and re.search(r'id="send-invitation">邀约确认<', html)


def test_a_graduate_who_cannot_sign_is_said_so_at_step_one(world):
    html = text(Client().get(f"/sign/c/{card_token(world)}/"))
    assert 'id="graduate-not-ready"' in html and "毕业生尚未确认生源信息" in html
    assert 'id="start-invitation"' not in html


def test_forged_and_expired_links_are_refused_with_a_message(ready):
    card, token = signing.card_issue(actor=ready.graduate_user)
    forged = Client().get(f"/sign/c/{token[:-3]}xyz/")
    assert forged.status_code == 400 and "二维码无效" in text(forged) and 'id="card-refused"' in text(forged)
    type(card).objects.filter(pk=card.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for url in (f"/sign/c/{token}/", f"/sign/c/{token}/invite/"):
        expired = Client().get(url)
        assert expired.status_code == 400 and "二维码名片已过期" in text(expired)
    assert Client().get("/sign/follow/not-a-token/").status_code == 404


def test_the_short_code_leads_to_step_one(ready):
    card, _ = signing.card_issue(actor=ready.graduate_user)
    assert 'id="card-code-input"' in text(Client().get("/sign/code/"))
    found = Client().post("/sign/code/", {"code": card.short_code.lower()})
    assert found.status_code == 302 and found.url.startswith("/sign/c/")
    assert "王小明" in text(Client().get(found.url))
    wrong = Client().post("/sign/code/", {"code": "ZZZZZZZZ"})
    assert "名片码不存在" in text(wrong)


def test_sending_withdrawing_and_following_the_invitation(ready):
    employer = Client()
    token = card_token(ready)
    bad = post_invitation(employer, token, credit_code="91340100MA2N8Q7K01", contact_phone="123")
    assert bad.status_code == 400
    html = text(bad)
    assert re.search(r'id="credit_code-error">统一社会信用代码校验位不正确，请核对<', html)
    assert re.search(r'id="contact_phone-error">请输入正确的手机号码或固定电话<', html)
    assert 'value="合肥示例科技有限公司"' in html  # what was typed is kept
    sent = post_invitation(employer, token)
    assert sent.status_code == 302 and sent.url.startswith("/sign/follow/")
    follow = text(employer.get(sent.url))
    assert re.search(r'id="invitation-status">待确认<', follow) and 'id="withdraw-button"' in follow
    assert 'id="follow-bookmark"' in follow and "收藏" in follow
    assert ready.graduate.masked_id_number in follow and PHONE not in follow
    assert ready.graduate.id_number not in follow
    again = post_invitation(employer, token)
    assert again.status_code == 400 and "不能重复发送" in text(again)
    withdrawn = employer.post(sent.url + "withdraw/")
    assert withdrawn.status_code == 302
    after = text(employer.get(sent.url))
    assert re.search(r'id="invitation-status">已撤回<', after) and 'id="withdraw-button"' not in after


def test_the_follow_page_shows_acceptance_and_the_correction_after_a_return(ready):
    employer = Client()
    sent = post_invitation(employer, card_token(ready))
    invitation = Invitation.objects.get()
    accept(ready.graduate_user, invitation)
    html = text(employer.get(sent.url))
    assert re.search(r'id="invitation-status">已接受<', html) and "签约成功，待学校审核" in html
    assert 'id="correction-form"' not in html
    destination = Destination.objects.get(graduate=ready.graduate)
    destination_review(actor=ready.college_admin, destination=destination, approve=False, reason="单位名称有错字")
    returned = text(employer.get(sent.url))
    assert 'id="correction-form"' in returned and "单位名称有错字" in returned and "协议仍然有效" in returned
    values = {"unit_name": "合肥示例科技股份有限公司", "credit_code": invitation.credit_code, "unit_nature_code": "39",
              "industry_code": "34", "unit_division": "340104", "unit_address": "合肥市蜀山区示例路88号",
              "position_category_code": "13", "unit_contact": "张经理", "unit_contact_phone": "0551-62901234"}
    bad = employer.post(sent.url + "correction/", {**values, "unit_division": "340100"})
    assert bad.status_code == 400 and 'id="unit_division-error"' in text(bad)
    done = employer.post(sent.url + "correction/", values)
    assert done.status_code == 302
    destination.refresh_from_db()
    assert (destination.unit_name, destination.status) == ("合肥示例科技股份有限公司", DestinationStatus.SUBMITTED)


def test_an_employer_account_starts_from_its_page_and_sees_only_its_invitations(ready):
    ready.employer.credit_code = credit_code()
    ready.employer.save()
    other = f.make_employer(credit_code=credit_code("91340200MA2N8Q7K1"), name="芜湖示例制造有限公司")
    me = logged_in(ready.employer_user)
    home = text(me.get("/employer/"))
    assert 'id="start-signing"' in home and "安徽示例大学" in home
    missing = me.post("/employer/signing/start/", {"school": ready.school.pk, "name": "王小明", "student_number": "1"})
    assert missing.status_code == 302 and "未找到该毕业生" in text(me.get("/employer/"))
    started = me.post("/employer/signing/start/", {"school": ready.school.pk, "name": "王小明",
                                                   "student_number": "2022010101"})
    assert started.status_code == 302 and started.url.endswith("/invite/")
    form = text(me.get(started.url))
    assert 'value="合肥示例科技有限公司"' in form and ready.graduate.masked_id_number in form
    assert post_invitation(me, started.url.split("/")[3]).status_code == 302
    own = Invitation.objects.get()
    assert own.sent_by == ready.employer_user
    theirs, _ = invite(ready.graduate, ready.graduate_user, unit_name=other.name, credit_code=other.credit_code)
    home = text(me.get("/employer/"))
    assert f'data-invitation-id="{own.pk}"' in home and f'data-invitation-id="{theirs.pk}"' not in home
    assert PHONE not in home and ready.graduate.id_number not in home
    assert me.get(f"/employer/signing/invitations/{own.pk}/").status_code == 200
    assert me.get(f"/employer/signing/invitations/{theirs.pk}/").status_code == 404
    assert me.post(f"/employer/signing/invitations/{theirs.pk}/withdraw/").status_code == 404
    assert me.post(f"/employer/signing/invitations/{own.pk}/withdraw/", {"next": "home"}).status_code == 302
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert (own.status, theirs.status) == (InvitationStatus.WITHDRAWN, InvitationStatus.OPEN)


def test_employer_account_pages_refuse_other_roles(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    for user in (ready.graduate_user, ready.school_admin):
        client = logged_in(user)
        assert client.get(f"/employer/signing/invitations/{invitation.pk}/").status_code == 403
        assert client.post("/employer/signing/start/", {"school": ready.school.pk}).status_code == 403


def test_the_agreement_page_follows_the_review_and_says_the_agreement_stands(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    accept(ready.graduate_user, invitation)
    me = logged_in(ready.graduate_user)
    destination = Destination.objects.get(graduate=ready.graduate)
    destination_review(actor=ready.college_admin, destination=destination, approve=False, reason="联系方式缺失")
    returned = text(me.get("/signing/agreement/"))
    assert "协议仍然有效" in returned and "不干涉毕业生与用人单位已签的协议" in returned
    destination.refresh_from_db()
    destination.status = DestinationStatus.SUBMITTED
    destination.save(update_fields=["status"])
    destination_review(actor=ready.college_admin, destination=destination, approve=True)
    destination_review(actor=ready.school_admin, destination=destination, approve=True)
    approved = text(me.get("/signing/agreement/"))
    assert re.search(r'id="agreement-status">学校审核通过<', approved) and 'href="/signing/print/"' in approved
    assert logged_in(ready.stranger_user).get("/signing/agreement/").url == "/me/pin/"  # no PIN set yet
    type(ready.stranger).objects.filter(pk=ready.stranger.pk).update(signing_pin_hash=make_password("135790"))
    other = text(logged_in(ready.stranger_user).get("/signing/agreement/"))
    assert 'id="no-agreement"' in other and invitation.unit_name not in other


def test_a_missing_certificate_is_said_next_to_the_upload(ready):
    response = Client().post(f"/sign/c/{card_token(ready)}/invite/", terms())
    assert response.status_code == 400
    assert re.search(r'id="certificate-error">请上传统一社会信用代码证图片<', text(response))
    assert not Invitation.objects.exists()
