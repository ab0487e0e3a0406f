"""网络签约 core rules, service level: preconditions, the 60-second window, the PIN,
exactly one agreement, review, PDF verification, print sessions and termination."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.audit.services import audit_verify
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.core.pdf import FONT_FAMILY, pdf_font_names
from apps.destinations.models import Destination, DestinationSource, DestinationStatus
from apps.destinations.services import destination_review
from apps.notifications.models import Notification
from apps.organisations.models import SchoolPolicy
from apps.signing import services as signing
from apps.signing.documents import agreement_generate_pdf, check_uploaded_pdf
from apps.signing.models import Agreement, AgreementStatus, Invitation, InvitationStatus, TerminationStatus
from tests import factories as f
from tests.signing.helpers import PIN, accept, credit_code, invite, make_ready, png, terms


@pytest.fixture
def ready(world):
    make_ready(world.graduate)
    return world


def approve_both(world):
    destination = Destination.objects.get(graduate=world.graduate)
    destination_review(actor=world.college_admin, destination=destination, approve=True)
    destination_review(actor=world.school_admin, destination=destination, approve=True)


# --- preconditions ----------------------------------------------------------------------------

def test_unconfirmed_origin_is_refused_with_how_to_fix(world):
    with pytest.raises(DomainError) as exc:
        invite(world.graduate, world.graduate_user)
    assert exc.value.code == "origin_not_confirmed"
    assert "【登记】→【生源信息】" in exc.value.message
    assert not Invitation.objects.exists()


def test_registered_employment_blocks_signing_until_reset(ready):
    Destination.objects.create(graduate=ready.graduate, school=ready.school, college=ready.college,
                               category_code="11", status=DestinationStatus.SUBMITTED)
    invitation, _ = invite(ready.graduate, ready.graduate_user)  # receiving is not blocked…
    with pytest.raises(DomainError) as exc:  # …accepting is
        signing.acceptance_open(actor=ready.graduate_user, invitation=invitation)
    assert exc.value.code == "destination_registered" and "待就业" in exc.value.message
    Destination.objects.filter(graduate=ready.graduate).update(category_code="701")
    signing.acceptance_open(actor=ready.graduate_user, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.confirm_opened_at is not None


def test_signing_not_open_before_the_school_date(ready):
    SchoolPolicy.objects.create(school=ready.school, signing_opens_on=timezone.localdate() + timedelta(days=3))
    with pytest.raises(DomainError) as exc:
        invite(ready.graduate, ready.graduate_user)
    assert exc.value.code == "signing_not_open"


def test_preconditions_are_checked_again_at_accept_and_confirm(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    type(ready.graduate).objects.filter(pk=ready.graduate.pk).update(origin_confirmed_at=None)
    with pytest.raises(DomainError, match="生源信息尚未确认"):
        signing.acceptance_open(actor=ready.graduate_user, invitation=invitation)


# --- card ----------------------------------------------------------------------------------------

def test_forged_and_expired_card_links_are_refused(ready):
    card, token = signing.card_issue(actor=ready.graduate_user)
    assert signing.card_resolve(token=token).graduate == ready.graduate
    assert signing.card_resolve(short_code=card.short_code.lower()).pk == card.pk
    with pytest.raises(DomainError, match="二维码无效"):
        signing.card_resolve(token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    with pytest.raises(DomainError, match="已过期"):
        signing.card_resolve(token=token, now=timezone.now() + timedelta(hours=1))
    type(card).objects.filter(pk=card.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError, match="已过期"):
        signing.card_resolve(short_code=card.short_code)


# --- invitations ---------------------------------------------------------------------------------

def test_a_second_live_invitation_from_the_same_employer_is_refused(ready):
    invite(ready.graduate, ready.graduate_user)
    with pytest.raises(DomainError) as exc:
        invite(ready.graduate, ready.graduate_user, position_name="另一个职位")
    assert exc.value.code == "duplicate_invitation"
    # another employer may invite at the same time
    other, _ = invite(ready.graduate, ready.graduate_user, unit_name="芜湖示例制造有限公司",
                      credit_code=credit_code("91340200MA2N8Q7K1"))
    assert Invitation.objects.filter(status=InvitationStatus.OPEN).count() == 2 and other.employer_id


@pytest.mark.parametrize("field, value, message", [
    ("credit_code", "91340100MA2N8Q7K01", "统一社会信用代码校验位不正确，请核对"),
    ("unit_division", "340100", "单位所在地须选择到具体的区县"),
    ("probation_months", "8", "试用期应为1到6个月"),
    ("monthly_pay", "abc", "月工资应为整数"),
    ("contact_phone", "12345", "请输入正确的手机号码或固定电话"),
    ("breach_conditions", "", "约定违约金时请写明违约条件"),
])
def test_bad_terms_are_refused_and_nothing_is_stored(ready, field, value, message):
    card, _ = signing.card_issue(actor=ready.graduate_user)
    with pytest.raises(DomainError) as exc:
        signing.invitation_create(card=card, data=terms(**{field: value}), certificate=png())
    assert exc.value.fields[field] == message
    assert not Invitation.objects.exists()


def test_certificate_must_be_a_real_image(ready):
    from django.core.files.uploadedfile import SimpleUploadedFile

    card, _ = signing.card_issue(actor=ready.graduate_user)
    fake = SimpleUploadedFile("cert.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(DomainError, match="不是有效的图片"):
        signing.invitation_create(card=card, data=terms(), certificate=fake)


def test_withdraw_before_acceptance_and_not_after(ready):
    invitation, token = invite(ready.graduate, ready.graduate_user)
    with pytest.raises(Forbidden):
        signing.invitation_withdraw(invitation=invitation, follow_token="wrong")
    signing.invitation_withdraw(invitation=invitation, follow_token=token)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN
    with pytest.raises(DomainError, match="不能接受"):
        signing.acceptance_open(actor=ready.graduate_user, invitation=invitation)
    assert Notification.objects.filter(graduate=ready.graduate, kind="invitation_withdrawn").exists()


def test_expired_invitation_cannot_be_accepted(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError, match="已过期"):
        signing.acceptance_open(actor=ready.graduate_user, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED


def test_decline_needs_a_reason(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    with pytest.raises(DomainError, match="请填写拒绝原因"):
        signing.invitation_decline(actor=ready.graduate_user, invitation=invitation, reason=" ")
    signing.invitation_decline(actor=ready.graduate_user, invitation=invitation, reason="已选择读研")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert Notification.objects.filter(employer=invitation.employer, kind="invitation_declined").exists()


def test_another_graduates_invitation_is_invisible(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    with pytest.raises(NotFound):
        signing.acceptance_open(actor=ready.stranger_user, invitation=invitation)
    with pytest.raises(NotFound):
        signing.invitation_decline(actor=ready.stranger_user, invitation=invitation, reason="x")


# --- acceptance -----------------------------------------------------------------------------------

def test_accept_within_60_seconds_with_pin_creates_exactly_one_agreement(ready):
    first, _ = invite(ready.graduate, ready.graduate_user)
    second, _ = invite(ready.graduate, ready.graduate_user, unit_name="芜湖示例制造有限公司",
                       credit_code=credit_code("91340200MA2N8Q7K1"))
    agreement = accept(ready.graduate_user, first, seconds_later=59)
    assert agreement.status == AgreementStatus.IN_FORCE
    second.refresh_from_db()
    assert second.status == InvitationStatus.SUPERSEDED  # 已失效, still viewable
    destination = Destination.objects.get(graduate=ready.graduate)
    assert (destination.category_code, destination.source, destination.status) == (
        "10", DestinationSource.ONLINE_SIGNING, DestinationStatus.SUBMITTED)
    assert destination.unit_name == "合肥示例科技有限公司" and destination.unit_division_id == "340104"
    assert signing.agreement_review_status(agreement) == "签约成功，待学校审核"
    assert Notification.objects.filter(employer=first.employer, kind="invitation_accepted").exists()
    assert Notification.objects.filter(employer=second.employer, kind="invitation_superseded").exists()
    assert all(r.ok for r in audit_verify())


def test_the_61st_second_is_refused(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    with pytest.raises(DomainError) as exc:
        accept(ready.graduate_user, invitation, seconds_later=61)
    assert exc.value.code == "window_expired"
    assert not Agreement.objects.exists()


def test_confirm_without_opening_the_window_is_refused(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    with pytest.raises(DomainError, match="60秒"):
        signing.acceptance_confirm(actor=ready.graduate_user, invitation=invitation, pin=PIN, client_address="x")


def test_wrong_pin_is_refused_and_throttled(ready, settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 3
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    for _ in range(3):
        with pytest.raises(DomainError, match="签约密码错误"):
            accept(ready.graduate_user, invitation, pin="135799")
    with pytest.raises(DomainError, match="尝试次数过多"):
        accept(ready.graduate_user, invitation, pin=PIN)
    assert not Agreement.objects.exists()


def test_signed_destination_cannot_be_changed_by_the_graduate(ready):
    from apps.destinations.services import destination_save

    invitation, _ = invite(ready.graduate, ready.graduate_user)
    accept(ready.graduate_user, invitation)
    with pytest.raises(DomainError, match="已网签"):
        destination_save(actor=ready.graduate_user, graduate=ready.graduate, category_code="701", data={})


def test_a_second_agreement_is_refused_while_one_is_in_force(ready):
    first, _ = invite(ready.graduate, ready.graduate_user)
    accept(ready.graduate_user, first)
    with pytest.raises(DomainError) as exc:
        invite(ready.graduate, ready.graduate_user, unit_name="芜湖示例制造有限公司",
               credit_code=credit_code("91340200MA2N8Q7K1"))
    assert "agreement_in_force" in exc.value.fields


# --- review, PDF, verification, print ---------------------------------------------------------------

def test_review_return_keeps_the_agreement_and_the_employer_corrects(ready):
    from apps.destinations.services import destination_correct_signed_unit

    invitation, _ = invite(ready.graduate, ready.graduate_user)
    agreement = accept(ready.graduate_user, invitation)
    destination = Destination.objects.get(graduate=ready.graduate)
    destination_review(actor=ready.college_admin, destination=destination, approve=False, reason="单位行业填写错误")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE
    assert "协议仍然有效" in signing.agreement_review_status(agreement)
    destination.refresh_from_db()
    destination_correct_signed_unit(actor=None, destination=destination, changes={"industry_code": "38"})
    destination.refresh_from_db()
    assert (destination.industry_code, destination.status) == ("38", DestinationStatus.SUBMITTED)


def test_pdf_is_signed_verifiable_and_tampering_is_detected(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    agreement = accept(ready.graduate_user, invitation)
    approve_both(ready)
    agreement_generate_pdf(agreement.pk)
    agreement.refresh_from_db()
    data = agreement.pdf.read()
    assert data.startswith(b"%PDF") and agreement.pdf_sha256
    # the embedded font only, never a system font (a machine without Chinese fonts shows boxes)
    assert pdf_font_names(data) == {FONT_FAMILY}
    check = check_uploaded_pdf(data)
    assert check.signature_intact and check.matches_current and check.agreement == agreement
    # one byte changed inside the signed range
    tampered = bytearray(data)
    position = data.index(b"/Type /Page") + 2
    tampered[position] = ord("X") if tampered[position] != ord("X") else ord("Y")
    bad = check_uploaded_pdf(bytes(tampered))
    assert not bad.matches_current and not bad.signature_intact
    assert bad.message == "文件已被修改或不是平台签发的协议书"


def test_print_session_needs_school_approval_and_is_one_time(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    agreement = accept(ready.graduate_user, invitation)
    session, secret = signing.print_session_start()
    with pytest.raises(DomainError, match="学校终审通过"):
        signing.print_session_claim(actor=ready.graduate_user, short_code=session.short_code)
    approve_both(ready)
    agreement_generate_pdf(agreement.pk)
    claimed = signing.print_session_claim(actor=ready.graduate_user, short_code=session.short_code)
    assert signing.print_session_for_pc(session_id=session.pk, secret=secret).agreement == agreement
    with pytest.raises(NotFound):
        signing.print_session_for_pc(session_id=session.pk, secret="guess")
    with pytest.raises(DomainError, match="已使用"):
        signing.print_session_claim(actor=ready.graduate_user, short_code=claimed.short_code)
    old, _ = signing.print_session_start(now=timezone.now() - timedelta(minutes=6))
    with pytest.raises(DomainError, match="已过期"):
        signing.print_session_claim(actor=ready.graduate_user, short_code=old.short_code)


# --- termination ------------------------------------------------------------------------------------

def terminate(world, agreement=None, **kw):
    termination = signing.termination_apply(actor=world.graduate_user, reason="further_study",
                                            explanation="考取研究生，单位同意解约", letters=[png("letter.png")],
                                            pin=kw.pop("pin", PIN), **kw)
    signing.termination_review(actor=world.college_admin, termination=termination, approve=True)
    return signing.termination_review(actor=world.school_admin, termination=termination, approve=True)


def test_termination_ends_the_agreement_and_allows_a_second_signing(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    agreement = accept(ready.graduate_user, invitation)
    done = terminate(ready)
    assert done.status == TerminationStatus.APPROVED
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATED
    destination = Destination.objects.get(graduate=ready.graduate)
    assert (destination.category_code, destination.source) == ("70", DestinationSource.SYSTEM)
    second, _ = invite(ready.graduate, ready.graduate_user, unit_name="芜湖示例制造有限公司",
                       credit_code=credit_code("91340200MA2N8Q7K1"))
    assert accept(ready.graduate_user, second).status == AgreementStatus.IN_FORCE


def test_school_cannot_decide_before_the_college(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    accept(ready.graduate_user, invitation)
    termination = signing.termination_apply(actor=ready.graduate_user, reason="family", explanation="家庭原因",
                                            letters=[png()], pin=PIN)
    with pytest.raises(DomainError, match="尚未经院系初审"):
        signing.termination_review(actor=ready.school_admin, termination=termination, approve=True)
    with pytest.raises(Forbidden):
        signing.termination_review(actor=ready.other_college_admin, termination=termination, approve=True)


def test_termination_before_the_school_date_is_refused(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    accept(ready.graduate_user, invitation)
    SchoolPolicy.objects.create(school=ready.school, termination_opens_on=date(2099, 9, 1))
    with pytest.raises(DomainError) as exc:
        signing.termination_apply(actor=ready.graduate_user, reason="family", explanation="家庭原因",
                                  letters=[png()], pin=PIN)
    assert exc.value.code == "termination_not_open" and "2099年09月01日" in exc.value.message


def test_a_fourth_termination_is_refused(ready):
    codes = ["91340200MA2N8Q7K1", "91340300MA2N8Q7K2", "91340400MA2N8Q7K3", "91340500MA2N8Q7K4"]
    for n in range(3):
        invitation, _ = invite(ready.graduate, ready.graduate_user, unit_name=f"单位{n}", credit_code=credit_code(codes[n]))
        accept(ready.graduate_user, invitation)
        terminate(ready)
    invitation, _ = invite(ready.graduate, ready.graduate_user, unit_name="单位4", credit_code=credit_code(codes[3]))
    accept(ready.graduate_user, invitation)
    with pytest.raises(DomainError) as exc:
        terminate(ready)
    assert exc.value.code == "termination_limit" and "3次" in exc.value.message


def test_termination_needs_the_pin_and_a_letter(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    accept(ready.graduate_user, invitation)
    with pytest.raises(DomainError, match="签约密码错误"):
        signing.termination_apply(actor=ready.graduate_user, reason="family", explanation="x", letters=[png()],
                                  pin="000000")
    with pytest.raises(DomainError, match="解约材料"):
        signing.termination_apply(actor=ready.graduate_user, reason="family", explanation="x", letters=[], pin=PIN)


def test_termination_is_only_for_online_signed_graduates(world):
    with pytest.raises(DomainError, match="仅限通过网络签约"):
        signing.termination_apply(actor=world.graduate_user, reason="family", explanation="x", letters=[png()], pin=PIN)


def test_employer_cannot_act_as_graduate(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    with pytest.raises(NotFound):
        signing.acceptance_open(actor=ready.employer_user, invitation=invitation)
    with pytest.raises(Forbidden):
        signing.card_issue(actor=ready.employer_user)
    assert f.PASSWORD  # personas stay usable


def test_employer_correction_after_a_return_reaches_the_agreement_pdf_data(ready):
    invitation, token = invite(ready.graduate, ready.graduate_user)
    accept(ready.graduate_user, invitation)
    destination = Destination.objects.get(graduate=ready.graduate)
    destination_review(actor=ready.college_admin, destination=destination, approve=False, reason="单位名称有错字")
    signing.signed_unit_correct(invitation=invitation, follow_token=token,
                                changes={"unit_name": "合肥示例信息科技有限公司"})
    invitation.refresh_from_db()
    destination.refresh_from_db()
    assert invitation.unit_name == destination.unit_name == "合肥示例信息科技有限公司"
    assert destination.status == DestinationStatus.SUBMITTED
    with pytest.raises(Forbidden):
        signing.signed_unit_correct(invitation=invitation, follow_token="forged", changes={"unit_name": "x"})


def test_expiry_sweep_notifies_both_sides(ready):
    from django.core.management import call_command

    invitation, _ = invite(ready.graduate, ready.graduate_user)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("expire_invitations", verbosity=0)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
    assert Notification.objects.filter(kind="invitation_expired", graduate=ready.graduate).exists()
    assert Notification.objects.filter(kind="invitation_expired", employer=invitation.employer).exists()


def test_public_print_sessions_are_bounded_per_address(world, monkeypatch):
    from apps.core.errors import Throttled

    monkeypatch.setattr(signing, "PRINT_SESSIONS_PER_ADDRESS", 3)
    for _ in range(3):
        signing.print_session_start(client_address="10.8.8.8")
    with pytest.raises(Throttled):
        signing.print_session_start(client_address="10.8.8.8")
    assert signing.print_session_start(client_address="10.8.8.9")[0].short_code
