"""What each party reads at every state of online signing, in real browsers: the graduate and
the recruiter on phones, the college and school reviewers on desktops.

invitation → acceptance → confirmation → college 初审 → school 终审 → termination applied →
rejected (the agreement stays in force and every page says so) → applied again → approved →
a new employer's invitation → a new agreement (the termination page speaks of the new one).
At each step the visible texts are the presenters' texts for that state and viewer."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.organisations.models import SchoolPolicy
from apps.signing import presenters
from apps.signing.models import Agreement, AgreementStatus, Invitation, Termination
from tests import factories as f
from tests.browser.conftest import DESKTOP, PHONE, login_graduate, login_staff
from tests.browser.test_signing_journey import (  # noqa: F401  (fixtures used by name)
    accept_invitation,
    card_link,
    open_context,
    private_media,
    review_destination,
    review_termination,
    send_invitation,
)
from tests.signing.helpers import PIN, credit_code, make_ready

RESET_SENTENCE = "已恢复为待就业"


def reads(page, element_id: str, text: str) -> None:
    expect(page.locator(f"#{element_id}")).to_have_text(text)


def graduate_reads_agreement(phone, agreement: Agreement) -> None:
    state = presenters.agreement_state(Agreement.objects.get(pk=agreement.pk), viewer_role=Role.GRADUATE)
    phone.goto("/signing/agreement/")
    reads(phone, "agreement-status", state.title)
    reads(phone, "agreement-state-text", state.text)
    expect(phone.locator("body")).not_to_contain_text(RESET_SENTENCE)


def recruiter_reads(recruiter, follow_url: str, invitation: Invitation, token: str) -> None:
    invitation = Invitation.objects.get(pk=invitation.pk)
    state = presenters.invitation_state(invitation, viewer_role=Role.EMPLOYER, follow_token=token)
    recruiter.goto(follow_url)
    reads(recruiter, "invitation-status", state.title)
    reads(recruiter, "invitation-state-text", state.text)
    agreement = Agreement.objects.filter(invitation=invitation).first()
    if agreement is not None:
        reads(recruiter, "agreement-state-text",
              presenters.agreement_state(agreement, viewer_role=Role.EMPLOYER).text)


def graduate_reads_termination(phone, graduate) -> presenters.State:
    state = presenters.termination_state(graduate, viewer_role=Role.GRADUATE)
    phone.goto("/signing/termination/")
    reads(phone, "termination-state-title", state.title)
    reads(phone, "termination-state-text", state.text)
    expect(phone.locator("#change-steps")).to_contain_text("学校终审通过后，协议解除")
    expect(phone.locator("#change-steps")).not_to_contain_text("学院审核通过后")
    return state


def staff_reads_termination(page, termination: Termination, role: str) -> None:
    state = presenters.termination_state(Termination.objects.get(pk=termination.pk), viewer_role=role)
    page.goto(f"/staff/terminations/{termination.pk}/")
    reads(page, "termination-state-text", state.text)
    expect(page.locator("#termination-approve")).to_have_count(1 if state.action("review") else 0)


def apply_for_termination(phone, letter) -> Termination:
    phone.goto("/signing/termination/")
    phone.select_option("#termination-reason", "further_study")
    phone.fill("#termination-explanation", "考取研究生，经与单位协商，双方同意解除协议")
    phone.set_input_files("#termination-letters", str(letter))
    phone.fill("#termination-pin", PIN)
    phone.click("#termination-submit")
    expect(phone.locator("#termination-state-title")).to_have_text("待院系初审")
    return Termination.objects.order_by("-id").first()


def test_every_party_reads_the_true_state_through_sign_terminate_and_sign_again(world, phone, open_context, tmp_path):  # noqa: F811
    g = make_ready(world.graduate)
    yesterday = timezone.localdate() - timedelta(days=1)
    SchoolPolicy.objects.update_or_create(school=world.school, defaults={
        "signing_opens_on": yesterday, "termination_opens_on": yesterday})
    certificate = tmp_path / "licence.png"
    Image.new("RGB", (640, 420), (250, 250, 245)).save(certificate)
    letter = tmp_path / "release-letter.png"
    Image.new("RGB", (800, 1100), (255, 255, 255)).save(letter)
    recruiter = open_context("recruiter", PHONE)
    college = open_context("college", DESKTOP)
    school = open_context("school", DESKTOP)

    # --- the invitation: both sides read 待确认 with their own next step ---------------------------------
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    send_invitation(recruiter, card_link(phone), unit_name="合肥示例科技有限公司", code=credit_code(),
                    certificate=certificate)
    follow_url = recruiter.url
    token = re.search(r"/sign/follow/([^/]+)/", follow_url).group(1)
    invitation = Invitation.objects.get()
    recruiter_reads(recruiter, follow_url, invitation, token)
    expect(recruiter.locator("#withdraw-button")).to_be_visible()
    state = presenters.invitation_state(invitation, viewer_role=Role.GRADUATE)
    phone.goto(f"/signing/invitations/{invitation.pk}/")
    reads(phone, "invitation-status", "待确认")
    reads(phone, "invitation-state-text", state.text)

    # --- acceptance and confirmation → 签约成功，待学校审核 ----------------------------------------------------
    accept_invitation(phone, invitation)
    agreement = Agreement.objects.get()
    graduate_reads_agreement(phone, agreement)
    recruiter_reads(recruiter, follow_url, invitation, token)
    reads(recruiter, "invitation-status", "已接受")
    expect(recruiter.locator("#withdraw-button")).to_have_count(0)

    # --- college 初审, then school 终审 ---------------------------------------------------------------------
    login_staff(college, "college-a1", f.PASSWORD)
    login_staff(school, "school-a", f.PASSWORD)
    review_destination(college, g.student_number, "待审核")
    graduate_reads_agreement(phone, agreement)
    reads(phone, "agreement-status", "院系初审通过，待学校审核")
    review_destination(school, g.student_number, "初审通过")
    graduate_reads_agreement(phone, agreement)
    reads(phone, "agreement-status", "学校审核通过")
    expect(phone.locator("#agreement-actions [data-action=print]")).to_be_visible()
    recruiter_reads(recruiter, follow_url, invitation, token)
    school.goto(f"/staff/agreements/{agreement.pk}/")
    reads(school, "agreement-state-text",
          presenters.agreement_state(Agreement.objects.get(pk=agreement.pk), viewer_role=Role.SCHOOL_STAFF).text)

    # --- a termination, rejected by the college: the agreement stays in force, everyone reads it --------------
    graduate_reads_termination(phone, g)
    first = apply_for_termination(phone, letter)
    graduate_reads_termination(phone, g)
    staff_reads_termination(college, first, Role.COLLEGE_STAFF)
    staff_reads_termination(school, first, Role.SCHOOL_STAFF)
    college.goto(f"/staff/terminations/{first.pk}/")
    college.fill("#f-reason", "解约材料未加盖单位公章")
    college.click("#termination-reject")
    expect(college.locator(".alert.success")).to_contain_text(g.student_number)
    staff_reads_termination(college, first, Role.COLLEGE_STAFF)
    state = graduate_reads_termination(phone, g)
    assert state.code == "rejected"
    expect(phone.locator("#termination-state-text")).to_contain_text("协议继续有效")
    expect(phone.locator("#termination-state-text")).to_contain_text("解约材料未加盖单位公章")
    graduate_reads_agreement(phone, agreement)
    reads(phone, "agreement-status", "解约申请未通过，协议继续有效")
    recruiter_reads(recruiter, follow_url, invitation, token)
    expect(recruiter.locator("#agreement-state-text")).to_contain_text("协议继续有效")

    # --- applied again, approved by college then school: the agreement ends -------------------------------------
    second = apply_for_termination(phone, letter)
    graduate_reads_agreement(phone, agreement)
    reads(phone, "agreement-status", "解约审核中（待院系初审）")
    review_termination(college, second)
    staff_reads_termination(school, second, Role.SCHOOL_STAFF)
    graduate_reads_termination(phone, g)
    review_termination(school, second)
    staff_reads_termination(school, second, Role.SCHOOL_STAFF)
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.TERMINATED
    state = graduate_reads_termination(phone, g)
    assert state.code == "approved" and RESET_SENTENCE in state.text
    recruiter_reads(recruiter, follow_url, invitation, token)
    reads(recruiter, "invitation-status", "协议已解除")

    # --- a new employer, a new agreement: nothing says the graduate is still free ------------------------------
    second_recruiter = open_context("recruiter2", PHONE)
    send_invitation(second_recruiter, card_link(phone), unit_name="芜湖示例制造有限公司",
                    code=credit_code("91340200MA2N8Q7K1"), certificate=certificate)
    new_invitation = Invitation.objects.exclude(pk=invitation.pk).get()
    accept_invitation(phone, new_invitation)
    new_agreement = Agreement.objects.get(graduate=g, status=AgreementStatus.IN_FORCE)
    graduate_reads_agreement(phone, new_agreement)
    state = graduate_reads_termination(phone, g)
    assert state.code == "resigned"
    expect(phone.locator("#termination-state-text")).to_contain_text(new_agreement.number)
    expect(phone.locator("body")).not_to_contain_text(RESET_SENTENCE)
    phone.goto("/signing/invitations/")
    expect(phone.locator(f".invitation[data-invitation-id='{invitation.pk}'] .invitation-status")).to_have_text("协议已解除")
    expect(phone.locator(f".invitation[data-invitation-id='{new_invitation.pk}'] .invitation-status")).to_have_text("已接受")
    recruiter_reads(recruiter, follow_url, invitation, token)
    reads(recruiter, "invitation-status", "协议已解除")
