"""毕业去向登记 state texts: one presenter per state and role; the graduate page, the staff
page and the API show the same title, explanation and next actions, and they agree with
what the services allow (a returned online-signed destination is locked for the graduate)."""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.destinations.models import Destination
from apps.destinations.presenters import destination_state
from apps.destinations.services import destination_review, destination_save, destination_submit
from apps.organisations.models import SchoolPolicy
from tests.signing.helpers import accept, invite, make_ready


def _save_submit(w):
    destination_save(actor=w.graduate_user, graduate=w.graduate, category_code="701", data={})
    destination_submit(actor=w.graduate_user, graduate=w.graduate)


def _college(w, approve=True, reason=""):
    destination_review(actor=w.college_admin, destination=Destination.objects.get(graduate=w.graduate),
                       approve=approve, reason=reason)


def _school(w, approve=True, reason=""):
    destination_review(actor=w.school_admin, destination=Destination.objects.get(graduate=w.graduate),
                       approve=approve, reason=reason)


def _signed(w):
    make_ready(w.graduate)
    invitation, _ = invite(w.graduate, w.graduate_user)
    accept(w.graduate_user, invitation)


BUILD = {
    "none": lambda w: None,
    "draft": lambda w: destination_save(actor=w.graduate_user, graduate=w.graduate, category_code="701", data={}),
    "submitted": _save_submit,
    "college_approved": lambda w: (_save_submit(w), _college(w)),
    "school_approved": lambda w: (_save_submit(w), _college(w), _school(w)),
    "returned_by_college": lambda w: (_save_submit(w), _college(w, False, "求职证明不清晰")),
    "returned_by_school": lambda w: (_save_submit(w), _college(w), _school(w, False, "去向与材料不一致")),
    "signed_submitted": _signed,
    "signed_returned": lambda w: (_signed(w), _college(w), _school(w, False, "单位行业有误")),
}

# state → (graduate title, a phrase of the graduate's explanation, graduate actions)
GRADUATE = {
    "none": ("未登记", "尚未登记毕业去向", ["选择毕业去向并保存", "按审核依据上传证明材料", "提交审核"]),
    "draft": ("未提交", "尚未提交审核", ["核对去向内容", "按审核依据上传证明材料", "提交审核"]),
    "submitted": ("待院系初审", "已提交，等待院系初审；审核期间不能修改。", []),
    "college_approved": ("初审通过，待学校终审", "院系初审已通过，等待学校终审；不能修改。", []),
    "school_approved": ("审核通过", "学校审核通过，毕业去向已确认，不能修改", []),
    "returned_by_college": ("院系退回", "被院系退回，请按退回原因修改后重新提交审核。",
                            ["按退回原因修改去向内容或证明材料", "重新提交审核"]),
    "returned_by_school": ("学校退回", "被学校退回，请按退回原因修改后重新提交审核。",
                           ["按退回原因修改去向内容或证明材料", "重新提交审核"]),
    "signed_submitted": ("已网签 · 待院系初审", "网签成功，毕业去向已自动登记，等待院系初审", []),
    "signed_returned": ("已网签 · 学校退回", "只能由用人单位更正单位信息后重新提交，您不能修改", ["联系签约单位更正单位信息"]),
}
# state → (college explanation phrase, college may review, school explanation phrase, school may review)
STAFF = {
    "draft": ("尚未提交审核，无需审核", False, "尚未提交审核，无需审核", False),
    "submitted": ("待您初审", True, "等待院系初审", False),
    "college_approved": ("等待学校终审", False, "待您终审", True),
    "school_approved": ("学校审核通过", False, "学校审核通过", False),
    "returned_by_college": ("院系已退回，等待毕业生修改后重新提交", False, "院系已退回", False),
    "returned_by_school": ("学校已退回，等待毕业生修改后重新提交", False, "学校已退回", False),
    "signed_submitted": ("网签自动登记，毕业生已提交，待您初审", True, "等待院系初审", False),
    "signed_returned": ("等待用人单位更正单位信息后重新提交", False, "等待用人单位更正单位信息后重新提交", False),
}


@pytest.fixture
def w(world):
    SchoolPolicy.objects.update_or_create(school=world.school, defaults={
        "destination_cutoff_on": timezone.localdate() + timedelta(days=60)})
    return world


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _section(response, element_id: str) -> str:
    html = response.content.decode()
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(p|h2|ol|span|div)>', html, re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip() if match else ""


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", list(BUILD))
def test_graduate_reads_the_state_on_page_and_api(w, api_client, name):
    BUILD[name](w)
    title, phrase, actions = GRADUATE[name]
    destination = Destination.objects.filter(graduate=w.graduate).first()
    state = destination_state(destination, viewer_role="graduate", graduate=w.graduate)
    assert state["title"] == title and phrase in state["explanation"] and state["actions"] == actions

    page = _login(w.graduate_user).get("/register/destination/")
    assert _section(page, "state-title") == title
    assert phrase in _section(page, "state-explanation")
    assert ("重新提交审核" in _text(page).split("注意事项")[0]) == ("重新提交审核" in actions)
    if name == "signed_returned":
        # locked: no form to edit, the page never asks the graduate to edit and resubmit
        assert 'id="destination-form"' not in page.content.decode()
        assert "修改后重新提交" not in _text(page)
        assert _section(page, "return-reason") == "退回原因：单位行业有误"

    api_client.login_as(w.graduate_user)
    api_state = api_client.get("/destinations/mine").json()["state"]
    expected = {**state, "cutoff_on": state["cutoff_on"].isoformat()}
    assert api_state == expected


@pytest.mark.parametrize("name", list(STAFF))
def test_staff_read_the_state_on_page_and_api(w, api_client, name):
    BUILD[name](w)
    college_phrase, college_reviews, school_phrase, school_reviews = STAFF[name]
    destination = Destination.objects.get(graduate=w.graduate)
    for user, phrase, reviews in ((w.college_admin, college_phrase, college_reviews),
                                  (w.school_admin, school_phrase, school_reviews),
                                  (w.province_admin, None, False)):
        state = destination_state(destination, viewer_role=user.role)
        if phrase:
            assert phrase in state["explanation"], (user.role, state["explanation"])
        assert state["may_review"] is reviews
        page = _login(user).get(f"/staff/destinations/{destination.pk}/")
        assert _section(page, "state-explanation") == state["explanation"]
        assert ('id="review-form"' in page.content.decode()) is reviews
        if user.role == "province_staff":
            assert state["actions"] == []
            continue
        api_client.login_as(user)
        body = api_client.get(f"/destinations/{destination.pk}").json()
        assert body["state"] == {**state, "cutoff_on": state["cutoff_on"].isoformat()}
        assert body["can_review"] is reviews


def test_deadline_passed_uses_the_school_policy_date(w, api_client):
    destination_save(actor=w.graduate_user, graduate=w.graduate, category_code="701", data={})
    cutoff = timezone.localdate() - timedelta(days=1)
    SchoolPolicy.objects.filter(school=w.school).update(destination_cutoff_on=cutoff)
    date_text = f"{cutoff:%Y年%m月%d日}"
    page = _login(w.graduate_user).get("/register/destination/")
    assert _section(page, "state-title") == "已过登记截止日期"
    assert date_text in _section(page, "state-explanation")
    assert 'id="destination-form"' not in page.content.decode()
    assert _section(page, "state-actions") == "联系学校就业部门"
    api_client.login_as(w.graduate_user)
    mine = api_client.get("/destinations/mine").json()
    assert mine["state"]["after_cutoff"] is True and mine["state"]["cutoff_on"] == cutoff.isoformat()
    assert mine["editable"] is False and date_text in mine["edit_block_reason"]
    destination = Destination.objects.get(graduate=w.graduate)
    staff = destination_state(destination, viewer_role="school_staff")
    assert date_text in staff["explanation"]
