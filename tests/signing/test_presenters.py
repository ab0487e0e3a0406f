"""What each person reads about online signing equals what the presenters say, for every state
of the invitation, agreement and termination workflows and every role that sees it — on the
rendered pages (graduate, employer by account and by follow link, college and school staff,
print) and in the API — and the texts never contradict the state or each other."""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from apps.accounts.models import Role
from apps.destinations.models import Destination
from apps.destinations.services import destination_review
from apps.organisations.models import SchoolPolicy
from apps.signing import presenters
from apps.signing import services as signing
from apps.signing.models import Agreement, Invitation, Termination
from tests.signing.helpers import PIN, accept, credit_code, invite, make_ready, png

pytestmark = pytest.mark.django_db

GRADUATE, EMPLOYER = Role.GRADUATE, Role.EMPLOYER
REVIEWERS = (Role.COLLEGE_STAFF, Role.SCHOOL_STAFF)
RESET_SENTENCE = "已恢复为待就业"  # only true once the agreement has ended and nothing new is in force


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def ready(world):
    make_ready(world.graduate)
    yesterday = timezone.localdate() - timedelta(days=1)
    SchoolPolicy.objects.update_or_create(school=world.school, defaults={
        "signing_opens_on": yesterday, "termination_opens_on": yesterday})
    return world


class As:
    """One user's page session and API token."""

    def __init__(self, user=None):
        from apps.accounts.services import api_token_issue

        self.client = Client()
        self.headers = {}
        if user is not None:
            self.client.force_login(user)
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}

    def page(self, path) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.content.decode()

    def api(self, path) -> dict:
        response = self.client.get(f"/api/v1{path}", **self.headers)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return response.json()


def shown(page: str, element_id: str) -> str:
    """The visible text of the element with that id (state texts carry no markup)."""
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
    assert found, f"#{element_id} missing"
    return " ".join(htmllib.unescape(found.group(1)).split())


def badge_after(page: str, marker: str, badge_class: str) -> str:
    found = re.search(rf'{re.escape(marker)}.*?class="[^"]*{badge_class}[^"]*"[^>]*>([^<]*)<', page, re.S)
    assert found, f"{badge_class} after {marker} missing"
    return htmllib.unescape(found.group(1)).strip()


# --- building each state through the services --------------------------------------------------------

def _invite(world, *, for_account=True, **terms):
    invitation, token = invite(world.graduate, world.graduate_user, **terms)
    if for_account:  # the registered employer account (world.employer_user) sent it
        Invitation.objects.filter(pk=invitation.pk).update(employer=world.employer)
        invitation.refresh_from_db()
    return invitation, token


def _apply(world):
    return signing.termination_apply(actor=world.graduate_user, reason="further_study", explanation="考取研究生，单位同意解约",
                                     letters=[png("letter.png")], pin=PIN)


def _review(world, termination, level, approve=True, reason=""):
    actor = world.college_admin if level == "college" else world.school_admin
    return signing.termination_review(actor=actor, termination=termination, approve=approve, reason=reason)


def _terminate(world):
    termination = _apply(world)
    _review(world, termination, "college")
    return _review(world, termination, "school")


def _destination_review(world, level, approve=True, reason=""):
    destination = Destination.objects.get(graduate=world.graduate)
    actor = world.college_admin if level == "college" else world.school_admin
    destination_review(actor=actor, destination=destination, approve=approve, reason=reason)


def build_invitation(world, state):
    invitation, token = _invite(world)
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    elif state == "withdrawn":
        signing.invitation_withdraw(invitation=invitation, follow_token=token)
    elif state == "declined":
        signing.invitation_decline(actor=world.graduate_user, invitation=invitation, reason="已选择继续升学")
    elif state == "superseded":
        other, _ = _invite(world, for_account=False, unit_name="芜湖示例制造有限公司",
                           credit_code=credit_code("91340200MA2N8Q7K1"))
        accept(world.graduate_user, other)
    elif state in ("accepted", "agreement_terminated"):
        accept(world.graduate_user, invitation)
        if state == "agreement_terminated":
            _terminate(world)
    invitation.refresh_from_db()
    return invitation, token


INVITATION_STATES = {
    # state: (graduate's title, employer's title, a phrase the employer's text must contain)
    "open": ("待确认", "待确认", "可以撤回"),
    "expired": ("已过期", "已过期", "重新发起网签"),
    "withdrawn": ("已撤回", "已撤回", "贵单位已撤回"),
    "declined": ("已拒绝", "已拒绝", "已选择继续升学"),
    "superseded": ("已失效", "已失效", "已与其他单位签约"),
    "accepted": ("已接受", "已接受", "协议已生效"),
    "agreement_terminated": ("协议已解除", "协议已解除", "协议已解除"),
}


@pytest.mark.parametrize("state_name", INVITATION_STATES)
def test_every_invitation_state_reads_the_same_on_every_page_and_in_the_api(ready, state_name):
    invitation, token = build_invitation(ready, state_name)
    graduate_title, employer_title, employer_phrase = INVITATION_STATES[state_name]
    graduate, employer, link = As(ready.graduate_user), As(ready.employer_user), As()

    # the graduate: the invitation page, the list, the API
    page = graduate.page(f"/signing/invitations/{invitation.pk}/")
    invitation.refresh_from_db()  # the page swept a lapsed invitation to 已过期
    expected = presenters.invitation_state(invitation, viewer_role=GRADUATE,
                                           has_other_agreement=signing.agreement_in_force(invitation.graduate_id)
                                           is not None)
    assert (shown(page, "invitation-status"), shown(page, "invitation-state-text")) == (expected.title, expected.text)
    assert expected.title == graduate_title
    assert ('id="accept-button"' in page) == (state_name == "open")
    listed = graduate.page("/signing/invitations/")
    assert badge_after(listed, f'data-invitation-id="{invitation.pk}"', "invitation-status") == graduate_title
    assert graduate.api(f"/signing/invitations/{invitation.pk}")["state"] == expected.as_dict()

    # the employer by its follow link and by its account: page, home list, API
    followed = presenters.invitation_state(invitation, viewer_role=EMPLOYER, follow_token=token)
    account = presenters.invitation_state(invitation, viewer_role=EMPLOYER)
    assert followed.title == account.title == employer_title and followed.text == account.text
    assert employer_phrase in followed.text
    page = link.page(f"/sign/follow/{token}/")
    assert (shown(page, "invitation-status"), shown(page, "invitation-state-text")) == (followed.title, followed.text)
    assert ('id="withdraw-button"' in page) == (state_name == "open")
    page = employer.page(f"/employer/signing/invitations/{invitation.pk}/")
    assert (shown(page, "invitation-status"), shown(page, "invitation-state-text")) == (account.title, account.text)
    home = employer.page("/employer/")
    assert badge_after(home, f'data-invitation-id="{invitation.pk}"', "employer-invitation-state") == employer_title
    assert link.api(f"/signing/follow/{token}")["state"] == followed.as_dict()
    assert employer.api(f"/signing/employer/invitations/{invitation.pk}")["state"] == account.as_dict()


def test_a_terminated_agreement_no_longer_reads_accepted_on_the_employer_list(ready):
    invitation, _ = build_invitation(ready, "agreement_terminated")
    home = As(ready.employer_user).page("/employer/")
    assert badge_after(home, f'data-invitation-id="{invitation.pk}"', "employer-invitation-state") == "协议已解除"
    assert all(i["state"]["title"] != "已接受" for i in As(ready.employer_user).api("/signing/employer/invitations"))


# --- 网签协议 -----------------------------------------------------------------------------------------------

def build_agreement(world, state):
    invitation, token = _invite(world)
    agreement = accept(world.graduate_user, invitation)
    if state in ("awaiting_school", "approved", "returned"):
        _destination_review(world, "college")
    if state == "approved":
        _destination_review(world, "school")
    if state == "returned":
        _destination_review(world, "school", approve=False, reason="单位名称有错字")
    if state.startswith("termination_"):
        termination = _apply(world)
        if state in ("termination_college_approved", "termination_rejected"):
            _review(world, termination, "college")
        if state == "termination_rejected":
            _review(world, termination, "school", approve=False, reason="解约材料未加盖公章")
    if state == "terminated":
        _terminate(world)
    agreement.refresh_from_db()
    return agreement, token


AGREEMENT_STATES = {
    # state: (code, a phrase every role's text contains)
    "awaiting_college": ("awaiting_college", "待院系初审"),
    "awaiting_school": ("awaiting_school", "待学校终审"),
    "approved": ("approved", "学校终审已通过"),
    "returned": ("returned", "单位名称有错字"),
    "termination_submitted": ("termination_pending", "仍然有效"),
    "termination_college_approved": ("termination_pending", "待学校终审"),
    "termination_rejected": ("termination_rejected", "协议继续有效"),
    "terminated": ("terminated", "协议已解除"),
}


@pytest.mark.parametrize("state_name", AGREEMENT_STATES)
def test_every_agreement_state_reads_the_same_for_every_role(ready, state_name):
    agreement, token = build_agreement(ready, state_name)
    code, phrase = AGREEMENT_STATES[state_name]
    in_force = agreement.status == "in_force"
    pages = []

    graduate = As(ready.graduate_user)
    expected = presenters.agreement_state(agreement, viewer_role=GRADUATE)
    assert expected.code == code and phrase in expected.text
    if in_force:  # the graduate's agreement page shows the agreement in force
        page = graduate.page("/signing/agreement/")
        assert (shown(page, "agreement-status"), shown(page, "agreement-state-text")) == (expected.title, expected.text)
        assert graduate.api("/signing/agreement")["agreement"]["state"] == expected.as_dict()
        pages.append(page)

    expected = presenters.agreement_state(agreement, viewer_role=EMPLOYER)
    assert expected.code == code and phrase in expected.text
    for page in (As().page(f"/sign/follow/{token}/"),
                 As(ready.employer_user).page(f"/employer/signing/invitations/{agreement.invitation_id}/")):
        assert shown(page, "agreement-state-text") == expected.text
        assert shown(page, "agreement-review-status") == presenters.agreement_review(agreement).title
        pages.append(page)
    assert As().api(f"/signing/follow/{token}")["agreement"]["state"] == expected.as_dict()

    for role, user in ((Role.COLLEGE_STAFF, ready.college_admin), (Role.SCHOOL_STAFF, ready.school_admin)):
        staff = As(user)
        expected = presenters.agreement_state(agreement, viewer_role=role)
        assert expected.code == code and phrase in expected.text
        page = staff.page(f"/staff/agreements/{agreement.pk}/")
        assert shown(page, "agreement-state-text") == expected.text
        assert staff.api(f"/agreements/{agreement.pk}")["state"] == expected.as_dict()
        pages.append(page)

    for page in pages:  # no page tells the graduate she is free while an agreement binds her
        if in_force:
            assert RESET_SENTENCE not in page
        if state_name == "termination_rejected":
            assert "协议继续有效" in page


def test_print_needs_the_level_the_rule_needs_and_every_page_says_the_same(ready):
    """College approval alone is refused by print_session_claim; no page says it is enough."""
    agreement, _ = build_agreement(ready, "awaiting_school")
    requirement = presenters.print_requirement_text()
    assert "学校终审" in requirement and "院系或学校" not in requirement
    pc = As()
    pc_page = pc.page("/print/")
    code = re.search(r'id="print-code"[^>]*>([A-Z0-9]{6})<', pc_page).group(1)
    graduate = As(ready.graduate_user)
    refused = graduate.client.post("/signing/print/", {"code": code})
    assert refused.status_code == 400
    refused = refused.content.decode()
    assert requirement.removesuffix("协议书") in refused
    for page in (pc_page, refused, graduate.page("/signing/print/")):
        assert requirement in page and "院系或学校" not in page
    _destination_review(ready, "school")
    agreement.refresh_from_db()
    assert signing.agreement_is_approved(agreement)
    assert graduate.client.post("/signing/print/", {"code": code}).status_code == 200


# --- 网络解约 -----------------------------------------------------------------------------------------------

def build_termination(world, state):
    """The graduate's situation and the latest termination (None when there is none)."""
    if state == "not_online":
        return None
    invitation, _ = _invite(world)
    accept(world.graduate_user, invitation)
    if state == "in_force":
        return None
    termination = _apply(world)
    if state in ("college_approved", "approved", "resigned", "rejected_by_school"):
        _review(world, termination, "college")
    if state in ("approved", "resigned"):
        _review(world, termination, "school")
    if state == "rejected":
        _review(world, termination, "college", approve=False, reason="解约材料不清晰")
    if state == "rejected_by_school":
        _review(world, termination, "school", approve=False, reason="解约材料未加盖公章")
    if state == "resigned":
        new, _ = _invite(world, for_account=False, unit_name="芜湖示例制造有限公司",
                         credit_code=credit_code("91340200MA2N8Q7K1"))
        accept(world.graduate_user, new)
    termination.refresh_from_db()
    return termination


TERMINATION_STATES = {
    # state: (code on the graduate's page, title, a phrase it must contain, a phrase it must not)
    "not_online": ("not_online", "没有网签协议", "仅限于通过网络签约", RESET_SENTENCE),
    "in_force": ("in_force", "协议有效", "如需解约", RESET_SENTENCE),
    "submitted": ("submitted", "待院系初审", "此前协议仍然有效", RESET_SENTENCE),
    "college_approved": ("college_approved", "待学校终审", "此前协议仍然有效", RESET_SENTENCE),
    "rejected": ("rejected", "解约申请未通过，协议继续有效", "院系初审未通过", RESET_SENTENCE),
    "rejected_by_school": ("rejected", "解约申请未通过，协议继续有效", "学校终审未通过", RESET_SENTENCE),
    "approved": ("approved", "已解约", RESET_SENTENCE, "协议有效"),
    "resigned": ("resigned", "协议有效", "芜湖示例制造有限公司", RESET_SENTENCE),
}


@pytest.mark.parametrize("state_name", TERMINATION_STATES)
def test_every_termination_state_reads_the_same_for_the_graduate_and_the_reviewers(ready, state_name):
    termination = build_termination(ready, state_name)
    code, title, must, must_not = TERMINATION_STATES[state_name]
    graduate = As(ready.graduate_user)
    expected = presenters.termination_state(ready.graduate, viewer_role=GRADUATE)
    assert (expected.code, expected.title) == (code, title)
    assert must in expected.text and must_not not in expected.text
    page = graduate.page("/signing/termination/")
    assert shown(page, "termination-state-title") == expected.title
    assert shown(page, "termination-state-text") == expected.text
    assert ('id="termination-form"' in page) == (expected.action("apply") is not None)
    assert must_not not in page
    # the levels said at the top and in the steps are the levels termination_review applies
    assert "学院审核通过后" not in page and "学校终审通过后，协议解除" in page
    assert presenters.termination_levels_note() in shown(page, "termination-scope")
    mine = graduate.api("/agreements/terminations/mine")
    assert mine["state"] == expected.as_dict()
    assert mine["can_apply"] == (expected.action("apply") is not None)

    if termination is None:
        return
    for role, user in ((Role.COLLEGE_STAFF, ready.college_admin), (Role.SCHOOL_STAFF, ready.school_admin)):
        staff = As(user)
        expected = presenters.termination_state(termination, viewer_role=role)
        page = staff.page(f"/staff/terminations/{termination.pk}/")
        assert shown(page, "termination-state-text") == expected.text
        assert ('id="termination-approve"' in page) == (expected.action("review") is not None)
        assert staff.api(f"/agreements/terminations/{termination.pk}")["state"] == expected.as_dict()
        if termination.status == "rejected":
            assert "协议继续有效" in expected.text
        if state_name == "resigned":  # the reviewers, too, read of the new agreement, not of 待就业
            assert RESET_SENTENCE not in page and "已重新签约" in expected.text
    waiting_for = {"submitted": Role.COLLEGE_STAFF, "college_approved": Role.SCHOOL_STAFF}.get(termination.status)
    for role in REVIEWERS:
        may_review = presenters.termination_state(termination, viewer_role=role).action("review") is not None
        assert may_review == (role == waiting_for)


def test_after_re_signing_the_termination_page_speaks_of_the_new_agreement(ready):
    build_termination(ready, "resigned")
    page = As(ready.graduate_user).page("/signing/termination/")
    new = Agreement.objects.get(graduate=ready.graduate, status="in_force")
    assert new.number in shown(page, "termination-state-text")
    assert RESET_SENTENCE not in page and "您可以与新单位签约" not in page
    assert Termination.objects.filter(status="approved").count() == 1


# --- numbers: read from the settings and constants the rules use --------------------------------------

@override_settings(SIGNING_CARD_MINUTES=45)
def test_card_minutes_on_graduate_and_employer_pages_are_the_setting(ready):
    graduate = As(ready.graduate_user)
    card_page = graduate.page("/me/card/")
    token = re.search(r'id="card-link" href="[^"]*/sign/c/([^/"]+)/"', card_page).group(1)
    card = signing.card_resolve(token=token)
    assert card.expires_at - card.created_at == pytest.approx(timedelta(minutes=45), abs=timedelta(seconds=5))
    invite_page = As().page(f"/sign/c/{token}/invite/")
    expired = As().client.get("/sign/c/forged-token/").content.decode()
    for page in (card_page, invite_page, expired):
        assert "45分钟" in page and "30分钟" not in page and "60分钟" not in page
    assert presenters.card_validity_text() in invite_page and presenters.card_validity_text() in expired


def test_the_confirmation_window_stated_is_the_rules_window(ready, monkeypatch):
    monkeypatch.setattr(signing, "CONFIRM_WINDOW_SECONDS", 90)
    invitation, _ = _invite(ready)
    graduate = As(ready.graduate_user)
    page = graduate.page(f"/signing/invitations/{invitation.pk}/")
    assert "接受后有90秒" in page and "60秒" not in page
    assert "接受后有90秒" in graduate.page("/me/card/")
    assert "90秒" in graduate.api(f"/signing/invitations/{invitation.pk}")["state"]["text"]
